package dev.freshline.bench.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP proxy on loopback that the harness puts between the services and a server, to make the
 * network fail as it does in production without touching the server: {@link Mode#PASS} forwards,
 * {@link Mode#DROP} holds every byte in both directions (a black hole: connections stay open and
 * nothing arrives; what was held is delivered once the mode is PASS again, as TCP retransmits
 * would), {@link Mode#DELAY} forwards each chunk {@code delay} after it arrived, in each
 * direction, and {@link Mode#RESET} resets every connection, new ones included.
 */
final class FaultProxy implements AutoCloseable {

	enum Mode {
		PASS, DROP, DELAY, RESET
	}

	private final ServerSocket server;

	private final InetSocketAddress upstream;

	private final Set<Link> links = ConcurrentHashMap.newKeySet();

	private volatile Mode mode = Mode.PASS;

	private volatile Duration delay = Duration.ZERO;

	private volatile boolean closed;

	/** Listens on {@code port} of 127.0.0.1 (0: any free port) and forwards to {@code upstreamPort} there. */
	FaultProxy(int port, int upstreamPort) throws IOException {
		this.server = new ServerSocket();
		this.server.setReuseAddress(true);
		this.server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
		this.upstream = new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort);
		thread("fault-proxy-accept-" + port(), this::accept);
	}

	int port() {
		return this.server.getLocalPort();
	}

	int upstreamPort() {
		return this.upstream.getPort();
	}

	Mode mode() {
		return this.mode;
	}

	void pass() {
		this.mode = Mode.PASS;
	}

	void drop() {
		this.mode = Mode.DROP;
	}

	void delay(Duration delay) {
		this.delay = delay;
		this.mode = Mode.DELAY;
	}

	/** Resets the connections open now, and every new one until the mode changes. */
	void reset() {
		this.mode = Mode.RESET;
		this.links.forEach(Link::reset);
	}

	private void accept() {
		while (!this.closed) {
			Socket client;
			try {
				client = this.server.accept();
			}
			catch (IOException ex) {
				return; // closed
			}
			if (this.mode == Mode.RESET) {
				abort(client);
				continue;
			}
			try {
				Socket server = new Socket();
				server.connect(this.upstream, 2000);
				Link link = new Link(client, server);
				this.links.add(link);
				link.start();
			}
			catch (IOException upstreamDown) {
				// as the server would answer: the connection is refused, so reset it
				abort(client);
			}
		}
	}

	@Override
	public void close() {
		this.closed = true;
		try {
			this.server.close();
		}
		catch (IOException ignored) {
			// closing
		}
		this.links.forEach(Link::close);
	}

	private static void abort(Socket socket) {
		try {
			socket.setSoLinger(true, 0); // close with RST, not FIN
			socket.close();
		}
		catch (IOException ignored) {
			// gone already
		}
	}

	private static void thread(String name, Runnable task) {
		Thread thread = new Thread(task, name);
		thread.setDaemon(true);
		thread.start();
	}

	/** One proxied connection: a reader and a writer per direction, so a delay never delays a later chunk twice. */
	private final class Link {

		private final Socket client;

		private final Socket server;

		Link(Socket client, Socket server) {
			this.client = client;
			this.server = server;
		}

		void start() throws IOException {
			pump("up", this.client.getInputStream(), this.server.getOutputStream());
			pump("down", this.server.getInputStream(), this.client.getOutputStream());
		}

		private void pump(String direction, InputStream in, OutputStream out) {
			LinkedBlockingQueue<Chunk> chunks = new LinkedBlockingQueue<>();
			thread("fault-proxy-" + direction + "-read", () -> {
				byte[] buffer = new byte[16 * 1024];
				try {
					int read;
					while ((read = in.read(buffer)) >= 0) {
						chunks.add(new Chunk(Arrays.copyOf(buffer, read), System.nanoTime()));
					}
				}
				catch (IOException ex) {
					// reset or closed
				}
				chunks.add(Chunk.END);
			});
			thread("fault-proxy-" + direction + "-write", () -> {
				try {
					while (true) {
						Chunk chunk = chunks.take();
						if (chunk == Chunk.END) {
							break;
						}
						hold(chunk);
						out.write(chunk.bytes());
						out.flush();
					}
				}
				catch (IOException | InterruptedException ex) {
					// reset or closed
				}
				close();
			});
		}

		/** Until the chunk may go: never while dropping, {@code delay} after it arrived while delaying. */
		private void hold(Chunk chunk) throws SocketException {
			while (true) {
				Mode now = FaultProxy.this.mode;
				if (now == Mode.RESET || this.client.isClosed()) {
					throw new SocketException("reset by the fault proxy");
				}
				if (now == Mode.PASS) {
					return;
				}
				long wait = (now == Mode.DROP) ? TimeUnit.MILLISECONDS.toNanos(5)
						: chunk.arrived() + FaultProxy.this.delay.toNanos() - System.nanoTime();
				if (wait <= 0) {
					return;
				}
				LockSupport.parkNanos(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(5)));
			}
		}

		void reset() {
			abort(this.client);
			abort(this.server);
			FaultProxy.this.links.remove(this);
		}

		void close() {
			try {
				this.client.close();
				this.server.close();
			}
			catch (IOException ignored) {
				// closed already
			}
			FaultProxy.this.links.remove(this);
		}
	}

	private record Chunk(byte[] bytes, long arrived) {

		static final Chunk END = new Chunk(new byte[0], 0);
	}
}
