package io.tsdbpipe.report;

import io.tsdbpipe.deadletter.RejectReason;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;

/**
 * A JSON array of report items (TBDS's {@code metrics}, BlueKing's {@code data}, a top-level OpenTSDB array): each
 * object goes to an {@link ItemReader}, anything else is refused as "{@code noun} N of {@code container} is not a JSON
 * object" and the next element is read.
 *
 * @param noun what an element is called in a reject ("item", "element")
 * @param container what the array is called in a reject ("metrics", "data", "the array")
 * @param notAnObject the reason of the reject of an element that is not an object
 */
record ItemArray(String noun, String container, RejectReason notAnObject) {

    /** Reads one item of the array. */
    interface ItemReader {

        /**
         * Reads item {@code index}: the parser is on its {@code START_OBJECT}, which starts at byte {@code start}
         * (for {@link DecodeContext#itemText}); on return it must be on the item's {@code END_OBJECT}.
         */
        void read(JsonParser p, DecodeContext ctx, int start, int index) throws IOException;

        /**
         * Why item {@code index} is beyond a limit and not read at all ({@code channel_limit_exceeded}), or null when
         * it is within every limit. Asked before the item's shape.
         */
        default String beyondLimit(int index) {
            return null;
        }
    }

    /**
     * Reads the value of the field that holds the array (the parser is on it); a value that is not an array rejects
     * the whole report.
     */
    void readField(JsonParser p, DecodeContext ctx, ItemReader reader) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            p.skipChildren();
            ctx.reject(RejectReason.MISSING_FIELD, container + " must be a JSON array of items", ctx.payloadText());
            return;
        }
        read(p, ctx, reader);
    }

    /** Reads the array the parser is on (its {@code START_ARRAY}) up to its {@code END_ARRAY}. */
    void read(JsonParser p, DecodeContext ctx, ItemReader reader) throws IOException {
        int index = 0;
        for (JsonToken item = p.nextToken(); item != JsonToken.END_ARRAY; item = p.nextToken(), index++) {
            int start = DecodeContext.tokenStart(p);
            String beyondLimit = reader.beyondLimit(index);
            if (beyondLimit != null) {
                p.skipChildren();
                ctx.reject(RejectReason.CHANNEL_LIMIT_EXCEEDED, beyondLimit, ctx.itemText(start, p));
                continue;
            }
            if (item != JsonToken.START_OBJECT) {
                p.skipChildren();
                ctx.reject(notAnObject, noun + " " + index + " of " + container + " is not a JSON object",
                        ctx.itemText(start, p));
                continue;
            }
            reader.read(p, ctx, start, index);
        }
    }
}
