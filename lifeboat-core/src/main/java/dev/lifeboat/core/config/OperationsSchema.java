package dev.lifeboat.core.config;

import static dev.lifeboat.core.config.Field.optional;
import static dev.lifeboat.core.config.Field.required;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.plan.Channel;
import dev.lifeboat.core.plan.Communication;
import dev.lifeboat.core.plan.Contact;
import dev.lifeboat.core.plan.Endpoint;
import dev.lifeboat.core.plan.EscalationLevel;
import dev.lifeboat.core.plan.Secret;
import dev.lifeboat.core.plan.Template;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The incident side of a plan: contacts, escalation, channels, message templates and communication rules. */
final class OperationsSchema {
    /** The placeholders a template may use; the incident engine fills them. */
    static final Set<String> PLACEHOLDERS = Set.of(
            "incident.id", "incident.title", "incident.severity", "incident.status", "incident.impact",
            "incident.eta", "incident.next_update", "incident.started_at", "incident.commander",
            "incident.affected_features", "incident.description", "system", "time", "status_url");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([^}\\s]*)\\s*}}");

    private OperationsSchema() {
    }

    static ObjectSchema<Contact> contact() {
        ObjectSchema<Contact> s = ObjectSchema.of("contact", "Someone to reach in an incident, by role.");
        Field<String> role = s.field(required("role", Type.text(), "The role, e.g. Incident Commander."));
        Field<Contact.Team> team = s.field(optional("team", Type.oneOf(Contact.Team.class), "primary", "Which response team the contact belongs to."));
        Field<String> person = s.field(optional("name", Type.text(), "The person's name."));
        Field<String> phone = s.field(optional("phone", Type.text(), "Phone number."));
        Field<String> email = s.field(optional("email", Type.text(), "Email address."));
        Field<String> url = s.field(optional("url", Type.text(), "Support case URL (for external providers)."));
        Field<String> backup = s.field(optional("backup", Type.reference(Kind.CONTACT), "The contact who stands in."));
        Field<String> escalatesTo = s.field(optional("escalates-to", Type.reference(Kind.CONTACT), "The contact to escalate to."));
        return s.builds(v -> new Contact(v.name(), v.get(role), v.getOr(team, Contact.Team.PRIMARY), v.find(person),
                        v.find(phone), v.find(email), v.find(url), v.find(backup), v.find(escalatesTo)))
                .rule((c, v, b) -> {
                    if (c.backup().filter(c.name()::equals).isPresent() || c.escalatesTo().filter(c.name()::equals).isPresent()) {
                        b.report(v.at(), ErrorCode.IMPOSSIBLE_VALUE, v.path() + ": a contact cannot be its own backup or escalation",
                                "Name another contact.");
                    }
                });
    }

    static ObjectSchema<EscalationLevel> escalationLevel() {
        ObjectSchema<EscalationLevel> s = ObjectSchema.of("escalation level", "One step of the escalation ladder.");
        Field<Integer> level = s.field(required("level", Type.integer(1, 9), "1 for the first responders, higher for later steps."));
        Field<String> title = s.field(required("title", Type.text(), "Who this level is, e.g. Engineering Manager."));
        Field<Duration> after = s.field(optional("after", PlanTypes.duration(), "at declaration", "Incident duration that triggers this level."));
        Field<List<String>> alsoWhen = s.field(optional("also-when", Type.listOf(Type.text()), "none",
                "Other triggers, e.g. customer escalation, revenue impact."));
        Field<Duration> response = s.field(required("response-time", PlanTypes.durationOrZero(), "How fast this level must respond (immediate, 15m …)."));
        Field<List<String>> notify = s.field(required("notify", Type.listOf(Type.reference(Kind.CONTACT)), "Contacts paged at this level."));
        Field<List<String>> channels = s.field(optional("channels", Type.listOf(Type.reference(Kind.CHANNEL)), "none", "Channels told at this level."));
        Field<String> authority = s.field(optional("authority", Type.text(), "", "What this level may decide."));
        return s.builds(v -> new EscalationLevel(v.get(level), v.get(title), v.find(after), v.getOr(alsoWhen, List.of()),
                v.get(response), v.get(notify), v.getOr(channels, List.of()), v.getOr(authority, "")));
    }

    static ObjectSchema<Channel> channel() {
        ObjectSchema<Channel> s = ObjectSchema.of("channel", "Where notifications go.");
        Field<Channel.Type> type = s.field(required("type", Type.oneOf(Channel.Type.class), "slack, email, status-page or webhook."));
        Field<String> target = s.field(optional("target", Type.text(), "slack: the channel, e.g. #incident-response."));
        Field<String> url = s.field(optional("url", Type.text(), "status-page: the public page; webhook: the URL."));
        Field<Secret> webhook = s.field(optional("webhook", PlanTypes.secret(), "slack: the incoming-webhook URL (a secret)."));
        Field<List<String>> to = s.field(optional("to", Type.listOf(Type.text()), "none", "email: recipients."));
        Field<String> from = s.field(optional("from", Type.text(), "email: sender address."));
        Field<Endpoint> smtp = s.field(optional("smtp", PlanTypes.endpoint(), "email: SMTP server host:port."));
        Field<String> username = s.field(optional("username", Type.text(), "email: SMTP user."));
        Field<Secret> password = s.field(optional("password", PlanTypes.secret(), "email: SMTP password."));
        return s.builds(v -> new Channel(v.name(), v.get(type), v.find(target), v.find(url), v.find(webhook),
                        v.getOr(to, List.of()), v.find(from), v.find(smtp), v.find(username), v.find(password)))
                .rule((c, v, b) -> {
                    String needed = switch (c.type()) {
                        case SLACK -> c.webhook().isEmpty() ? "webhook" : null;
                        case EMAIL -> c.smtp().isEmpty() ? "smtp" : c.to().isEmpty() ? "to" : c.from().isEmpty() ? "from" : null;
                        case STATUS_PAGE, WEBHOOK -> c.url().isEmpty() ? "url" : null;
                    };
                    if (needed != null) {
                        b.report(v.at(), ErrorCode.MISSING_KEY, ErrorCode.MISSING_KEY.format(v.path() + " (type "
                                + Type.spelling(c.type()) + ")", needed), null);
                    }
                });
    }

    static ObjectSchema<Template> template() {
        ObjectSchema<Template> s = ObjectSchema.of("template",
                "A message with {{placeholders}}: " + String.join(", ", new java.util.TreeSet<>(PLACEHOLDERS)) + ".");
        Field<List<String>> channels = s.field(optional("channels", Type.listOf(Type.reference(Kind.CHANNEL)), "none", "Channels the message goes to."));
        Field<String> subject = s.field(optional("subject", Type.text(), "email: the subject line."));
        Field<String> body = s.field(required("body", Type.text(), "The message text."));
        return s.builds(v -> new Template(v.name(), v.getOr(channels, List.of()), v.find(subject), v.get(body)))
                .rule((t, v, b) -> {
                    checkPlaceholders(t.subject().orElse(""), v.at(subject), v.path() + ".subject", b);
                    checkPlaceholders(t.body(), v.at(body), v.path() + ".body", b);
                });
    }

    private static void checkPlaceholders(String text, Position at, String path, Binding b) {
        Matcher m = PLACEHOLDER.matcher(text);
        while (m.find()) {
            String name = m.group(1);
            if (!PLACEHOLDERS.contains(name)) {
                String hint = Spelling.didYouMean(name, PLACEHOLDERS);
                b.report(at, ErrorCode.BAD_VALUE, ErrorCode.BAD_VALUE.format(path, "unknown placeholder {{" + name + "}}"),
                        hint != null ? hint : "Known placeholders: " + String.join(", ", new java.util.TreeSet<>(PLACEHOLDERS)) + ".");
            }
        }
    }

    static ObjectSchema<Communication> communication() {
        ObjectSchema<Communication> s = ObjectSchema.of("communication", "When people are told during an incident.");
        Field<Duration> every = s.field(optional("status-update-every", PlanTypes.duration(), "30m", "How often status updates go out."));
        Field<Double> affected = s.field(optional("customer-notice-affected", PlanTypes.percent(), "10%",
                "Tell customers when more than this share of users is affected …"));
        Field<Duration> noticeAfter = s.field(optional("customer-notice-after", PlanTypes.duration(), "30m", "… or the incident lasts longer than this."));
        return s.builds(v -> new Communication(v.getOr(every, Duration.ofMinutes(30)), v.getOr(affected, 10.0),
                v.getOr(noticeAfter, Duration.ofMinutes(30))));
    }

    /** Escalation levels must climb: strictly increasing level numbers, non-decreasing "after" durations. */
    static void checkLadder(List<EscalationLevel> levels, Binding b, Position at) {
        EscalationLevel previous = null;
        for (EscalationLevel l : levels) {
            Values v = b.valuesOf(l);
            Position where = v != null ? v.at() : at;
            if (previous != null && l.level() <= previous.level()) {
                b.report(where, ErrorCode.IMPOSSIBLE_VALUE, "escalation: level " + l.level() + " follows level " + previous.level(),
                        "List levels in increasing order: 1, 2, 3, 4.");
            }
            Optional<Duration> prevAfter = previous == null ? Optional.empty() : previous.after();
            if (prevAfter.isPresent() && l.after().isPresent() && l.after().get().compareTo(prevAfter.get()) < 0) {
                b.report(where, ErrorCode.IMPOSSIBLE_VALUE, "escalation: level " + l.level() + " is reached after a shorter time than level "
                        + previous.level(), "Each level's 'after' must be at least the previous level's.");
            }
            previous = l;
        }
    }
}
