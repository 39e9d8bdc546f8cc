# Build: a static, cgo-free binary (modernc.org/sqlite is pure Go), stripped
# of symbols and DWARF. .ci/run runs this very RUN line and holds the result
# to a size budget, so keep its shape: RUN CGO_ENABLED=0 go build ... /out/racebot.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/racebot ./cmd/racebot

# Run: distroless, non-root, the database on a volume, config from the environment.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/racebot /racebot
VOLUME /data
ENV RACEBOT_DB=/data/racebot.db
EXPOSE 3000
USER nonroot:nonroot
ENTRYPOINT ["/racebot"]
