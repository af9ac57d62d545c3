package dev.freshline.bench.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FaultProxyTests {

	private ServerSocket echo;

	private FaultProxy proxy;

	@BeforeEach
	void startEchoServerBehindTheProxy() throws IOException {
		this.echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		Thread acceptor = new Thread(() -> {
			while (!this.echo.isClosed()) {
				try {
					Socket socket = this.echo.accept();
					Thread echoes = new Thread(() -> {
						try (socket) {
							socket.getInputStream().transferTo(socket.getOutputStream());
						}
						catch (IOException closed) {
							// the client went away
						}
					});
					echoes.setDaemon(true);
					echoes.start();
				}
				catch (IOException closed) {
					return;
				}
			}
		});
		acceptor.setDaemon(true);
		acceptor.start();
		this.proxy = new FaultProxy(0, this.echo.getLocalPort());
	}

	@AfterEach
	void stop() throws IOException {
		this.proxy.close();
		this.echo.close();
	}

	@Test
	void shouldForwardBothWaysWhilePassing() throws IOException {
		try (Socket socket = connect()) {
			assertThat(roundTrip(socket, "ping")).isEqualTo("ping");
		}
	}

	@Test
	void shouldHoldEveryByteWhileDroppingAndDeliverItOnceItPassesAgain() throws IOException {
		try (Socket socket = connect()) {
			roundTrip(socket, "warm");
			this.proxy.drop();
			socket.getOutputStream().write("lost?".getBytes(StandardCharsets.US_ASCII));
			socket.setSoTimeout(500);
			assertThatExceptionOfType(SocketTimeoutException.class).isThrownBy(() -> socket.getInputStream().read());

			this.proxy.pass();
			socket.setSoTimeout(5000);
			assertThat(read(socket.getInputStream(), 5)).isEqualTo("lost?");
		}
	}

	@Test
	void shouldDelayEachDirection() throws IOException {
		try (Socket socket = connect()) {
			roundTrip(socket, "warm");
			this.proxy.delay(Duration.ofMillis(150));
			long started = System.nanoTime();
			assertThat(roundTrip(socket, "slow")).isEqualTo("slow");
			// 150 ms on the way to the server and 150 ms back
			assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
		}
	}

	@Test
	void shouldResetOpenAndNewConnections() throws IOException {
		try (Socket open = connect()) {
			roundTrip(open, "warm");
			this.proxy.reset();
			open.setSoTimeout(5000);
			assertThatThrownBy(() -> roundTrip(open, "gone")).isInstanceOf(IOException.class);
		}
		try (Socket fresh = connect()) {
			fresh.setSoTimeout(5000);
			assertThatThrownBy(() -> roundTrip(fresh, "gone")).isInstanceOf(IOException.class);
		}
		this.proxy.pass();
		try (Socket again = connect()) {
			assertThat(roundTrip(again, "back")).isEqualTo("back");
		}
	}

	private Socket connect() throws IOException {
		Socket socket = new Socket(InetAddress.getLoopbackAddress(), this.proxy.port());
		socket.setSoTimeout(5000);
		return socket;
	}

	private static String roundTrip(Socket socket, String message) throws IOException {
		OutputStream out = socket.getOutputStream();
		out.write(message.getBytes(StandardCharsets.US_ASCII));
		out.flush();
		return read(socket.getInputStream(), message.length());
	}

	/** Exactly {@code length} bytes; an IOException when the connection ends before. */
	private static String read(InputStream in, int length) throws IOException {
		byte[] bytes = in.readNBytes(length);
		if (bytes.length < length) {
			throw new IOException("connection closed after " + bytes.length + " bytes");
		}
		return new String(bytes, StandardCharsets.US_ASCII);
	}
}
