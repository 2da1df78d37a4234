package io.tsdbpipe.report;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.core.json.ByteSourceJsonBootstrapper;
import com.fasterxml.jackson.core.sym.ByteQuadsCanonicalizer;

import java.io.IOException;

/**
 * Jackson's factory with a field-name table that is dropped once it holds {@link #MAX_NAMES} names. TBDS keys are
 * timestamps: a report brings new names, and each parser copied the whole shared table on its first new name
 * (~400 KB per report at the table's usual size, 90% of the job's allocation). A small table costs a small copy; the
 * few names every report repeats are back after a handful of reports. Parsers stay {@code UTF8StreamJsonParser}
 * (byte offsets, which the item texts of dead letters are cut by). One per decoder, used by one thread.
 */
public final class ReportJsonFactory extends JsonFactory {

    private static final long serialVersionUID = 1L;

    static final int MAX_NAMES = 64;

    private transient ByteQuadsCanonicalizer names = ByteQuadsCanonicalizer.createRoot();

    public ReportJsonFactory(JsonFactoryBuilder builder) {
        super(builder);
    }

    @Override
    protected JsonParser _createParser(byte[] data, int offset, int len, IOContext ctxt) throws IOException {
        if (names == null || names.size() > MAX_NAMES) {
            names = ByteQuadsCanonicalizer.createRoot();
        }
        return new ByteSourceJsonBootstrapper(ctxt, data, offset, len)
                .constructParser(_parserFeatures, _objectCodec, names, _rootCharSymbols, _factoryFeatures);
    }

    /** How many names the table holds now. */
    int names() {
        return names == null ? 0 : names.size();
    }
}
