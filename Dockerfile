# The relay (runwatch relay): headless, without cgo, in a distroless image.
#   docker build -t runwatch-relay .
#   docker run runwatch-relay --project P
# See README.md, "Running the relay". headless_test.go builds the same way.

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /out/runwatch-relay .

FROM gcr.io/distroless/static:nonroot
COPY --from=build /out/runwatch-relay /runwatch-relay
USER nonroot:nonroot
ENTRYPOINT ["/runwatch-relay", "relay"]
