package io.livedpo.feedback.streams;

import io.livedpo.events.CanaryArm;
import io.livedpo.events.FeedbackEvent;
import io.livedpo.events.PairSource;
import io.livedpo.events.PreferencePair;
import io.livedpo.events.PromptMessage;
import io.livedpo.events.Rating;
import io.livedpo.events.ResponseEvent;
import io.livedpo.events.Sampling;
import io.livedpo.feedback.canary.CanaryTally;
import java.util.ArrayList;
import java.util.List;

/**
 * Binary layout v1 of the topology's internal records ({@link InternalSerde}): fields in declaration order, no
 * names; every number from the data is a zig-zag varlong (a hostile event's schema may be negative), unsigned
 * varints are only the layout's own counts and lengths. Values are rebuilt through the records' constructors, so their checks still hold. Enums travel by name, so
 * re-ordering a constant cannot silently change what stored state means. Changing any layout here needs a new
 * format byte in {@link InternalSerde}, with this one kept readable.
 */
final class InternalCodecs {

    /** Writes and reads one type's fields (without the format byte). */
    interface Codec<T> {
        void write(BinaryOut out, T value);

        T read(BinaryIn in);
    }

    private InternalCodecs() {
    }

    static final Codec<FeedbackEvent> FEEDBACK = new Codec<>() {
        @Override
        public void write(BinaryOut out, FeedbackEvent f) {
            out.varlong(f.schema()).string(f.feedbackId()).string(f.responseId()).string(name(f.rating()))
                    .string(f.chosenResponseId()).string(f.rejectedResponseId()).string(f.userId())
                    .string(f.comment()).instant(f.createdAt());
        }

        @Override
        public FeedbackEvent read(BinaryIn in) {
            return new FeedbackEvent(Math.toIntExact(in.varlong()), in.string(), in.string(), enumOf(Rating.class, in.string()),
                    in.string(), in.string(), in.string(), in.string(), in.instant());
        }
    };

    static final Codec<ResponseEvent> RESPONSE = new Codec<>() {
        @Override
        public void write(BinaryOut out, ResponseEvent r) {
            out.varlong(r.schema()).string(r.responseId()).string(r.conversationId()).string(r.policy())
                    .varlong(r.modelVersion());
            out.uvarint(r.messages().size());
            for (PromptMessage message : r.messages()) {
                out.string(message.role()).string(message.content());
            }
            out.string(r.completion());
            writeSampling(out, r.sampling());
            out.string(r.promptHash()).instant(r.createdAt());
            CanaryArm canary = r.canary();
            out.bool(canary != null);
            if (canary != null) {
                out.varlong(canary.candidate()).varlong(canary.parent());
            }
        }

        @Override
        public ResponseEvent read(BinaryIn in) {
            int schema = Math.toIntExact(in.varlong());
            String responseId = in.string();
            String conversationId = in.string();
            String policy = in.string();
            long modelVersion = in.varlong();
            List<PromptMessage> messages = readMessages(in);
            String completion = in.string();
            Sampling sampling = readSampling(in);
            String promptHash = in.string();
            var createdAt = in.instant();
            CanaryArm canary = in.bool() ? new CanaryArm(in.varlong(), in.varlong()) : null;
            return new ResponseEvent(schema, responseId, conversationId, policy, modelVersion, messages, completion,
                    sampling, promptHash, createdAt, canary);
        }
    };

    static final Codec<Lookup> LOOKUP = new Codec<>() {
        @Override
        public void write(BinaryOut out, Lookup l) {
            FEEDBACK.write(out, l.feedback());
            out.string(l.side().name());
        }

        @Override
        public Lookup read(BinaryIn in) {
            return new Lookup(FEEDBACK.read(in), enumOf(Side.class, in.string()));
        }
    };

    static final Codec<HeldLookup> HELD_LOOKUP = new Codec<>() {
        @Override
        public void write(BinaryOut out, HeldLookup h) {
            LOOKUP.write(out, h.lookup());
            out.varlong(h.heldAtMs());
        }

        @Override
        public HeldLookup read(BinaryIn in) {
            return new HeldLookup(LOOKUP.read(in), in.varlong());
        }
    };

    static final Codec<HeldLookups> HELD_LOOKUPS = new Codec<>() {
        @Override
        public void write(BinaryOut out, HeldLookups h) {
            out.uvarint(h.held().size());
            h.held().forEach(held -> HELD_LOOKUP.write(out, held));
        }

        @Override
        public HeldLookups read(BinaryIn in) {
            int count = in.uvarint();
            List<HeldLookup> held = new ArrayList<>(Math.min(count, 1024));
            for (int i = 0; i < count; i++) {
                held.add(HELD_LOOKUP.read(in));
            }
            return new HeldLookups(List.copyOf(held));
        }
    };

    static final Codec<Resolved> RESOLVED = new Codec<>() {
        @Override
        public void write(BinaryOut out, Resolved r) {
            FEEDBACK.write(out, r.feedback());
            out.string(r.side().name());
            RESPONSE.write(out, r.response());
        }

        @Override
        public Resolved read(BinaryIn in) {
            return new Resolved(FEEDBACK.read(in), enumOf(Side.class, in.string()), RESPONSE.read(in));
        }
    };

    static final Codec<HeldHalf> HELD_HALF = new Codec<>() {
        @Override
        public void write(BinaryOut out, HeldHalf h) {
            RESOLVED.write(out, h.resolved());
            out.varlong(h.heldAtMs());
        }

        @Override
        public HeldHalf read(BinaryIn in) {
            return new HeldHalf(RESOLVED.read(in), in.varlong());
        }
    };

    static final Codec<StandingVote> STANDING_VOTE = new Codec<>() {
        @Override
        public void write(BinaryOut out, StandingVote v) {
            RESPONSE.write(out, v.response());
            out.string(v.voter()).string(v.userBucket()).string(name(v.rating())).varlong(v.feedbackAtMs());
        }

        @Override
        public StandingVote read(BinaryIn in) {
            return new StandingVote(RESPONSE.read(in), in.string(), in.string(), enumOf(Rating.class, in.string()),
                    in.varlong());
        }
    };

    static final Codec<PromptVotes> PROMPT_VOTES = new Codec<>() {
        @Override
        public void write(BinaryOut out, PromptVotes p) {
            out.uvarint(p.votes().size());
            p.votes().forEach(vote -> STANDING_VOTE.write(out, vote));
            out.uvarint(p.pairedAtMs().size());
            p.pairedAtMs().forEach(out::varlong);
        }

        @Override
        public PromptVotes read(BinaryIn in) {
            int votes = in.uvarint();
            List<StandingVote> standing = new ArrayList<>(Math.min(votes, 1024));
            for (int i = 0; i < votes; i++) {
                standing.add(STANDING_VOTE.read(in));
            }
            int pairs = in.uvarint();
            List<Long> pairedAt = new ArrayList<>(Math.min(pairs, 1024));
            for (int i = 0; i < pairs; i++) {
                pairedAt.add(in.varlong());
            }
            return new PromptVotes(List.copyOf(standing), List.copyOf(pairedAt));
        }
    };

    static final Codec<UserWindow> USER_WINDOW = new Codec<>() {
        @Override
        public void write(BinaryOut out, UserWindow w) {
            out.varlong(w.startMs()).varlong(w.pairs());
        }

        @Override
        public UserWindow read(BinaryIn in) {
            return new UserWindow(in.varlong(), Math.toIntExact(in.varlong()));
        }
    };

    static final Codec<CanaryHalf> CANARY_HALF = new Codec<>() {
        @Override
        public void write(BinaryOut out, CanaryHalf h) {
            out.varlong(h.version()).bool(h.chosen()).varlong(h.heldAtMs());
        }

        @Override
        public CanaryHalf read(BinaryIn in) {
            return new CanaryHalf(in.varlong(), in.bool(), in.varlong());
        }
    };

    static final Codec<CanaryTally> CANARY_TALLY = new Codec<>() {
        @Override
        public void write(BinaryOut out, CanaryTally t) {
            out.string(t.policy()).varlong(t.candidate()).varlong(t.parent()).varlong(t.candidateVotes())
                    .varlong(t.candidateUps()).varlong(t.parentVotes()).varlong(t.parentUps()).varlong(t.choices())
                    .varlong(t.candidateWins()).varlong(t.firstVoteAtMs()).bool(t.decided());
        }

        @Override
        public CanaryTally read(BinaryIn in) {
            return new CanaryTally(in.string(), in.varlong(), in.varlong(), in.varlong(), in.varlong(), in.varlong(),
                    in.varlong(), in.varlong(), in.varlong(), in.varlong(), in.bool());
        }
    };

    static final Codec<PreferencePair> PAIR = new Codec<>() {
        @Override
        public void write(BinaryOut out, PreferencePair p) {
            out.varlong(p.schema()).string(p.pairId()).string(p.policy());
            out.uvarint(p.prompt().size());
            for (PromptMessage message : p.prompt()) {
                out.string(message.role()).string(message.content());
            }
            out.string(p.chosen()).string(p.rejected()).string(p.chosenResponseId()).string(p.rejectedResponseId())
                    .varlong(p.chosenModelVersion()).varlong(p.rejectedModelVersion()).string(name(p.source()))
                    .instant(p.createdAt()).instant(p.newestFeedbackAt());
        }

        @Override
        public PreferencePair read(BinaryIn in) {
            int schema = Math.toIntExact(in.varlong());
            String pairId = in.string();
            String policy = in.string();
            List<PromptMessage> prompt = readMessages(in);
            return new PreferencePair(schema, pairId, policy, prompt, in.string(), in.string(), in.string(),
                    in.string(), in.varlong(), in.varlong(), enumOf(PairSource.class, in.string()), in.instant(),
                    in.instant());
        }
    };

    private static List<PromptMessage> readMessages(BinaryIn in) {
        int count = in.uvarint();
        List<PromptMessage> messages = new ArrayList<>(Math.min(count, 1024));
        for (int i = 0; i < count; i++) {
            messages.add(new PromptMessage(in.string(), in.string()));
        }
        return messages;
    }

    // Each field of Sampling is optional: one presence bit each.
    private static void writeSampling(BinaryOut out, Sampling s) {
        if (s == null) {
            out.u8(0);
            return;
        }
        int present = 0x10 | (s.temperature() != null ? 1 : 0) | (s.topP() != null ? 2 : 0)
                | (s.maxTokens() != null ? 4 : 0) | (s.seed() != null ? 8 : 0);
        out.u8(present);
        if (s.temperature() != null) {
            out.f64(s.temperature());
        }
        if (s.topP() != null) {
            out.f64(s.topP());
        }
        if (s.maxTokens() != null) {
            out.varlong(s.maxTokens());
        }
        if (s.seed() != null) {
            out.varlong(s.seed());
        }
    }

    private static Sampling readSampling(BinaryIn in) {
        int present = in.u8();
        if (present == 0) {
            return null;
        }
        if ((present & ~0x1F) != 0 || (present & 0x10) == 0) {
            throw new IllegalArgumentException("not a sampling presence byte: " + present);
        }
        Double temperature = (present & 1) != 0 ? in.f64() : null;
        Double topP = (present & 2) != 0 ? in.f64() : null;
        Integer maxTokens = (present & 4) != 0 ? Math.toIntExact(in.varlong()) : null;
        Long seed = (present & 8) != 0 ? in.varlong() : null;
        return new Sampling(temperature, topP, maxTokens, seed);
    }

    private static String name(Enum<?> value) {
        return value == null ? null : value.name();
    }

    private static <E extends Enum<E>> E enumOf(Class<E> type, String name) {
        return name == null ? null : Enum.valueOf(type, name);
    }
}
