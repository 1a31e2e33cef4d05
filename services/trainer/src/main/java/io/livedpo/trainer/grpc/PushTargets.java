package io.livedpo.trainer.grpc;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The serving replicas to push to, resolved afresh for every checkpoint: a static {@code host:port} list plus every
 * address of a DNS name (a Kubernetes headless service lists one per ready pod, so scaled-up replicas are included).
 */
public final class PushTargets {

    private static final Logger LOG = Logger.getLogger(PushTargets.class);

    private final List<String> staticTargets;
    private final Optional<String> dnsName;
    private final int dnsPort;

    public PushTargets(List<String> staticTargets, Optional<String> dnsName, int dnsPort) {
        this.staticTargets = List.copyOf(staticTargets);
        this.dnsName = dnsName;
        this.dnsPort = dnsPort;
    }

    public List<String> resolve() {
        LinkedHashSet<String> out = new LinkedHashSet<>(staticTargets);
        if (dnsName.isPresent()) {
            try {
                for (InetAddress a : InetAddress.getAllByName(dnsName.get())) {
                    out.add(a.getHostAddress() + ":" + dnsPort);
                }
            } catch (UnknownHostException e) {
                // No ready replica behind the name right now; they catch up from the announcement and the store.
                LOG.warnf("cannot resolve %s: %s", dnsName.get(), e.getMessage());
            }
        }
        return new ArrayList<>(out);
    }
}
