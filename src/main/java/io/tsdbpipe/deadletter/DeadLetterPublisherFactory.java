package io.tsdbpipe.deadletter;

import java.io.Serializable;

/** Creates a {@link DeadLetterPublisher} on the task manager; shipped with the job graph, so it must be serializable. */
@FunctionalInterface
public interface DeadLetterPublisherFactory extends Serializable {

    DeadLetterPublisher create();
}
