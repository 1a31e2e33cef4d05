package io.livedpo.local;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Builds the services whose packaged app is missing, with the repository's Maven wrapper (tests skipped). */
public final class ServiceBuilds {

    private ServiceBuilds() {
    }

    /** @return the services it built (empty when all were there) */
    public static List<Service> buildMissing(Path home, Collection<Service> wanted)
            throws IOException, InterruptedException {
        List<Service> missing = new ArrayList<>();
        for (Service s : wanted) {
            if (!s.inCheckout(home)) {
                throw new IllegalStateException(s.displayName() + " is not in this checkout (no "
                        + home.resolve(s.modulePath()).resolve("pom.xml") + ")");
            }
            if (!s.built(home)) {
                missing.add(s);
            }
        }
        if (missing.isEmpty()) {
            return missing;
        }
        List<String> modules = new ArrayList<>(missing.stream().map(Service::modulePath).toList());
        List<String> command = List.of(home.resolve("mvnw").toString(), "-B", "-q", "-ntp", "-DskipTests", "package",
                "-pl", String.join(",", modules), "-am");
        Process p = new ProcessBuilder(command).directory(home.toFile()).redirectErrorStream(true).start();
        // Maven's output goes to our stderr: it is progress, and stdout carries only the command's JSON.
        p.getInputStream().transferTo(System.err);
        int exit = p.waitFor();
        if (exit != 0) {
            throw new IllegalStateException("building " + modules + " failed (exit " + exit + "): " + command);
        }
        return missing;
    }
}
