package io.tsdbpipe.report;

import io.tsdbpipe.deadletter.Reject;
import io.tsdbpipe.point.DataPoint;

/** Receives what one report decodes into. */
public interface DecodeOutput {

    void point(DataPoint point);

    void reject(Reject reject);
}
