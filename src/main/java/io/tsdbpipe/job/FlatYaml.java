package io.tsdbpipe.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML configuration file as flat dotted keys ({@code source: {topics: [a]}} is {@code source.topics}), for the
 * job's configuration and the gateway's. Needs no Flink: the gateway runs without it.
 */
public final class FlatYaml {

    private FlatYaml() {}

    /**
     * @param what how messages name the file ("configuration file", "gateway configuration file")
     * @param lists whether a key may take a list (joined with ';', Flink's form); else a list is an error
     */
    public static Map<String, String> read(Path file, String what, boolean lists) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new IOException("Cannot read " + what + " " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> flat = new LinkedHashMap<>();
        if (root != null && !root.isMissingNode() && !root.isNull()) {
            if (!root.isObject()) {
                throw new IllegalArgumentException(capitalized(what) + " " + file + " must be a YAML mapping");
            }
            flatten("", root, flat, what, lists);
        }
        return flat;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out, String what, boolean lists) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = prefix + e.getKey();
            JsonNode v = e.getValue();
            if (v.isObject()) {
                flatten(key + ".", v, out, what, lists);
            } else if (v.isArray()) {
                if (!lists) {
                    throw new IllegalArgumentException(
                            capitalized(what) + " key '" + key + "' takes one value, not a list");
                }
                List<String> items = new ArrayList<>();
                v.forEach(item -> items.add(item.asText()));
                out.put(key, String.join(";", items));
            } else if (!v.isNull()) {
                out.put(key, v.asText());
            }
        }
    }

    private static String capitalized(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
