package dev.freshline.launcher;

import java.util.concurrent.CountDownLatch;

/** A JVM that waits to be stopped, like the launcher, and says so from its shutdown hook. */
final class AwaitSignal {

	private AwaitSignal() {
	}

	public static void main(String[] args) throws InterruptedException {
		Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("stopping")));
		System.out.println("ready");
		new CountDownLatch(1).await();
	}
}
