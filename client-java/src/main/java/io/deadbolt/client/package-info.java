/**
 * The Java client of the deadbolt lock server: {@link io.deadbolt.client.LockClient} connects and hands
 * out {@link io.deadbolt.client.LockHandle}s with fencing tokens; {@link io.deadbolt.client.SessionListener}
 * tells the application when its locks are in doubt or lost.
 */
package io.deadbolt.client;
