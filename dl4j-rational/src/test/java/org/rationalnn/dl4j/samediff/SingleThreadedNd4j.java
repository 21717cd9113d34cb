package org.rationalnn.dl4j.samediff;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Environment;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs a test class with ND4J's op threads limited to one (restored afterwards) and double precision as the default
 * data type. The SameDiff tests execute thousands of tiny ops; on a busy 2-core machine, multi-threaded tiny ops
 * spend most of their time waiting for each other (seen: 10x slower), single-threaded ones do not.
 */
public final class SingleThreadedNd4j implements BeforeAllCallback, AfterAllCallback {

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(SingleThreadedNd4j.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        Environment env = Nd4j.getEnvironment();
        ExtensionContext.Store store = context.getStore(NS);
        store.put("maxThreads", env.maxThreads());
        store.put("maxMasterThreads", env.maxMasterThreads());
        env.setMaxThreads(1);
        env.setMaxMasterThreads(1);
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        Environment env = Nd4j.getEnvironment();
        ExtensionContext.Store store = context.getStore(NS);
        env.setMaxThreads(store.get("maxThreads", Integer.class));
        env.setMaxMasterThreads(store.get("maxMasterThreads", Integer.class));
    }
}
