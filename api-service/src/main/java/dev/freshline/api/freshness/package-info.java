/**
 * How fresh a cached read is allowed to be. The {@link dev.freshline.api.freshness.PipelineFence}
 * keeps, per namespace, the oldest applied watermark of the change-topic partitions that feed it;
 * while that watermark is older than {@code max-staleness} by Postgres' clock, or older than the
 * commit position a request names in {@code Freshline-After}, reads of the namespace bypass the
 * cache. Admin writes answer with their own commit position, so a client can carry it to any
 * instance.
 */
@NullMarked
package dev.freshline.api.freshness;

import org.jspecify.annotations.NullMarked;
