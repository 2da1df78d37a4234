package io.tsdbpipe.gateway;

/** The gateway's report endpoints: each answers in its clients' own format; the label of their metrics. */
public enum Endpoint {
    /** BlueKing's bk-collector: {@code POST /v2/push/} on the http port. */
    V2_PUSH("v2_push"),
    /** OpenTSDB's {@code POST /api/put} on the http port. */
    API_PUT("api_put"),
    /** Flume's HTTP source with its JSON handler: {@code POST} on the flume port, any path. */
    FLUME("flume");

    private final String label;

    Endpoint(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
