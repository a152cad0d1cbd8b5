package dev.lifeboat.core.plan;

import java.time.Duration;

/**
 * Communication rules during an incident: how often status updates go out, and when customers are told
 * (share of users affected, or incident duration).
 */
public record Communication(Duration statusUpdateEvery, double customerNoticeAffectedPercent,
                            Duration customerNoticeAfter) {
}
