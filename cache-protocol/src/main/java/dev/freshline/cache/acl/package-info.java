/**
 * Redis ACL users of Freshline, one per component: the rules live in the resource
 * {@code freshline-redis-users.acl} next to the protocol whose commands they allow, and
 * {@link dev.freshline.cache.acl.RedisUsers} renders them, with a run's prefix and passwords, into
 * the ACL file redis-server loads.
 */
@NullMarked
package dev.freshline.cache.acl;

import org.jspecify.annotations.NullMarked;
