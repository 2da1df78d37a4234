package io.tsdbpipe.job;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The {@code --key value} and {@code --key=value} arguments of the job and the gateway, in their order. */
public final class CommandLineArgs {

    private CommandLineArgs() {}

    public static List<Map.Entry<String, String>> parse(String[] args) {
        List<Map.Entry<String, String>> parsed = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new IllegalArgumentException("Unexpected argument '" + arg + "': expected --key value");
            }
            int eq = arg.indexOf('=');
            if (eq > 0) {
                parsed.add(Map.entry(arg.substring(2, eq), arg.substring(eq + 1)));
            } else {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("Missing value for " + arg);
                }
                parsed.add(Map.entry(arg.substring(2), args[++i]));
            }
        }
        return parsed;
    }
}
