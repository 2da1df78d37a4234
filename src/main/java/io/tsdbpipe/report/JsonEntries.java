package io.tsdbpipe.report;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.Arrays;

/**
 * The entries of a JSON object of name -> scalar (TBDS's timestamp=value map, BlueKing's metrics), read before the rest
 * of their item is known. Reused for every item: the arrays grow, and nothing else is allocated but the names.
 */
final class JsonEntries {

    private String[] names = new String[8];
    private JsonValue[] values = new JsonValue[8];
    private int size;

    /** Reads the object the parser is on (its START_OBJECT) up to its END_OBJECT; returns the number of entries. */
    int read(JsonParser p) throws IOException {
        size = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            if (size == names.length) {
                names = Arrays.copyOf(names, size * 2);
                values = Arrays.copyOf(values, size * 2);
            }
            names[size] = p.currentName();
            p.nextToken();
            if (values[size] == null) {
                values[size] = new JsonValue();
            }
            values[size].clear().read(p);
            size++;
        }
        return size;
    }

    String name(int i) {
        return names[i];
    }

    JsonValue value(int i) {
        return values[i];
    }
}
