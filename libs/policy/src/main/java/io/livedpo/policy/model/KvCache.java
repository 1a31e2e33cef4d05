package io.livedpo.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.util.ArrayList;
import java.util.List;

/**
 * Keys and values of every layer from earlier decoding steps, so each new token costs one position of attention
 * instead of the whole prefix. The arrays live on the cache's own manager and the previous step's are freed as the
 * cache grows.
 */
public final class KvCache implements AutoCloseable {

    private final NDManager manager;
    private final List<Layer> layers = new ArrayList<>();

    public KvCache(NDManager parent, int layerCount) {
        this.manager = parent.newSubManager();
        for (int i = 0; i < layerCount; i++) {
            layers.add(new Layer());
        }
    }

    Layer layer(int i) {
        return layers.get(i);
    }

    /** Positions already cached (S - T for the next forward). */
    public long length() {
        NDArray k = layers.get(0).keys;
        return k == null ? 0 : k.getShape().get(2);
    }

    @Override
    public void close() {
        manager.close();
    }

    /** One layer's cache: [B, H, S, D] keys and values. */
    final class Layer {
        private NDArray keys;
        private NDArray values;

        NDArray appendKeys(NDArray k) {
            keys = grow(keys, k);
            return keys;
        }

        NDArray appendValues(NDArray v) {
            values = grow(values, v);
            return values;
        }

        private NDArray grow(NDArray past, NDArray now) {
            NDArray all = past == null ? now : past.concat(now, 2); // [B, H, S, D]
            // Outlives the step that made it: leave that step's scope and live on the cache's manager.
            NDScope.unregister(all);
            all.attach(manager);
            if (past != null) {
                past.close();
            }
            return all;
        }
    }
}
