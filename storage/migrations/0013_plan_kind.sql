-- The kind of business a plan is for (flows.Kind: 'b2b-saas', 'ecommerce',
-- 'local-services', 'b2b-services', 'non-profit'); '' until known, which
-- reads as the catalogue's own examples. It picks the worked examples and
-- the KPI suggestions, so it lives with the plan.
ALTER TABLE plans ADD COLUMN kind TEXT NOT NULL DEFAULT '';
