#!/usr/bin/env python3
"""Where a bench's CPU went, from a JFR recording: CPU share per thread group and the hottest code per group.

    python3 load-tests/jfr_profile.py RECORDING.jfr [--top 12] [--busy "Streams thread"]

--busy GROUP keeps only what happened between the first and the last execution sample of that thread group (the
topology's or the HTTP event loop's busy span), so the app's start-up and shutdown do not dilute the figures; record
with -XX:StartFlightRecording=...,settings=profile,jdk.ThreadCPULoad#period=1s so that the per-thread CPU is fine
enough for the span.

CPU per thread comes from jdk.ThreadCPULoad (every Java thread, JIT compiler threads included; GC threads are not
Java threads and show as jdk.GCCPUTime), the code from jdk.ExecutionSample (Java frames only): each sample is
counted once per "area" (Jackson, RocksDB, Kafka Streams, ...) its stack passes through, and once for its top
frame. Used for docs/BENCHMARKS.md, "Feedback service".
"""
import argparse
import collections
import json
import re
import subprocess

GROUPS = [  # (group, thread-name pattern), first match wins
    ("JIT compiler", r"CompilerThread|C1 |C2 |Sweeper"),
    ("Streams producer I/O", r"StreamThread-\d+-producer|StreamThread.*producer"),
    ("Streams thread", r"StreamThread-\d+$|StreamThread-\d+\b(?!.*producer)"),
    ("Streams other", r"kafka-streams|state-updater|StateUpdater|CleanupThread"),
    ("HTTP event loop", r"vert\.x-eventloop"),
    ("HTTP worker", r"executor-thread|vert\.x-worker"),
    ("broker", r"data-plane|kafka-request-handler|kafka-network|kafka-scheduler|ReplicaFetcher|TxnMarker|"
               r"LogCleaner|broker-|controller|quorum|raft|kafka-log|ExpirationReaper|group-coordinator|"
               r"transaction-|share-|ProcessorThread|acceptor|RequestSendThread|metadata-loader|"
               r"event-handler|kafka-\d+-metadata|KafkaRaft|ForkJoinPool|/127\.0\.0\.1"),
    ("intake producer I/O", r"kafka-producer-network-thread"),
    ("consumers (bench readers)", r"consumer"),
    ("bench main / clients", r"^main$|Test worker|bench"),
]
AREAS = [  # (area, frame prefix), a sample counts once per area its stack passes through
    ("Jackson (JSON)", "com.fasterxml.jackson."),
    ("RocksDB (JNI)", "org.rocksdb."),
    ("internal binary serde", "io.livedpo.feedback.streams.Binary"),
    ("livedpo topology code", "io.livedpo.feedback.streams."),
    ("livedpo intake code", "io.livedpo.feedback.rest.|io.livedpo.feedback.service.|io.livedpo.feedback.messaging."),
    ("Kafka Streams", "org.apache.kafka.streams."),
    ("Kafka clients", "org.apache.kafka.clients.|org.apache.kafka.common."),
    ("Kafka broker", "kafka.|org.apache.kafka.server.|org.apache.kafka.storage.|org.apache.kafka.raft.|"
                     "org.apache.kafka.coordinator."),
    ("Vert.x / Netty", "io.vertx.|io.netty."),
    ("RESTEasy / Quarkus", "org.jboss.resteasy.|io.quarkus."),
    ("CRC / compression", "java.util.zip.|org.apache.kafka.common.utils.Crc"),
]

LANDMARKS = {  # where a Streams thread's time goes, by phase of its loop
    "org.apache.kafka.streams.processor.internals.StreamTask.punctuate",
    "org.apache.kafka.streams.processor.internals.StreamTask.process",
    "org.apache.kafka.streams.processor.internals.TaskManager.commit",
    "org.apache.kafka.streams.processor.internals.StreamsProducer.commitTransaction",
    "org.apache.kafka.streams.processor.internals.StreamThread.pollRequests",
    "org.apache.kafka.streams.processor.internals.RecordCollectorImpl.send",
    "org.apache.kafka.streams.processor.internals.TaskManager.createNewTasks",
}


def events(path, name):
    # jfr print keeps 5 frames unless told: too few to see which phase a sample belongs to.
    out = subprocess.run(["jfr", "print", "--json", "--stack-depth", "64", "--events", name, path], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)["recording"]["events"]


def seconds(duration):
    """A JFR duration as printed in JSON (ISO-8601, e.g. PT0.01S or PT1M2.5S), in seconds."""
    m = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?", duration or "PT0S")
    if not m:
        return 0.0
    h, mnt, s = m.groups()
    return int(h or 0) * 3600 + int(mnt or 0) * 60 + float(s or 0)


def group_of(thread):
    for group, pattern in GROUPS:
        if re.search(pattern, thread or ""):
            return group
    return "other: " + re.sub(r"\d+", "N", thread or "?")


def thread_name(t):
    return (t or {}).get("javaName") or (t or {}).get("osName") or "?"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("recording")
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--busy", help="thread group whose busy span bounds the analysis")
    args = parser.parse_args()

    samples = events(args.recording, "jdk.ExecutionSample")
    span = None
    if args.busy:
        times = sorted(e["values"]["startTime"] for e in samples
                       if group_of(thread_name(e["values"]["sampledThread"])) == args.busy)
        span = (times[0], times[-1])
        samples = [e for e in samples if span[0] <= e["values"]["startTime"] <= span[1]]
        print(f"busy span of {args.busy}: {span[0]} .. {span[1]}")

    def within(e):
        return span is None or span[0] <= e["values"]["startTime"] <= span[1]

    cpu = collections.Counter()
    for e in filter(within, events(args.recording, "jdk.ThreadCPULoad")):
        v = e["values"]
        cpu[group_of(thread_name(v["eventThread"]))] += float(v["user"]) + float(v["system"])
    gc = sum(seconds(e["values"].get("userTime")) + seconds(e["values"].get("systemTime"))
             for e in filter(within, events(args.recording, "jdk.GCCPUTime")))
    total = sum(cpu.values())
    print("CPU share per thread group (jdk.ThreadCPULoad, Java threads):")
    for group, load in cpu.most_common():
        if load / total < 0.005:
            continue
        print(f"  {100 * load / total:5.1f} %  {group}")
    print(f"  (GC threads, jdk.GCCPUTime: {gc:.1f} CPU s)")

    by_group = collections.defaultdict(list)
    for e in samples:
        frames = [f"{f['method']['type']['name']}.{f['method']['name']}".replace("/", ".")
                  for f in (e["values"]["stackTrace"] or {}).get("frames", [])]
        by_group[group_of(thread_name(e["values"]["sampledThread"]))].append(frames)
    print(f"\nJava execution samples: {len(samples)}")
    for group, stacks in sorted(by_group.items(), key=lambda kv: -len(kv[1])):
        print(f"\n== {group}: {len(stacks)} samples")
        areas = collections.Counter()
        for frames in stacks:
            for area, prefixes in AREAS:
                if any(f.startswith(tuple(prefixes.split("|"))) for f in frames):
                    areas[area] += 1
        print("  stacks through: " + ", ".join(f"{a} {100 * n / len(stacks):.0f} %" for a, n in areas.most_common()))
        tops = collections.Counter(frames[0] if frames else "?" for frames in stacks)
        print("  top frames (self):")
        for frame, n in tops.most_common(args.top):
            print(f"  {100 * n / len(stacks):5.1f} %  {frame}")
        # Inclusive: the project's methods and a few landmarks of Kafka Streams' loop, each once per sample.
        inclusive = collections.Counter()
        for frames in stacks:
            inclusive.update({f for f in frames if f.startswith("io.livedpo.") or f in LANDMARKS})
        if inclusive:
            print("  on the stack (inclusive: io.livedpo methods and Streams landmarks):")
            for frame, n in inclusive.most_common(args.top):
                print(f"  {100 * n / len(stacks):5.1f} %  {frame}")


if __name__ == "__main__":
    main()
