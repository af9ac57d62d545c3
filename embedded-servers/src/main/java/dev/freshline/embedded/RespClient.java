package dev.freshline.embedded;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;

/**
 * Just enough of the Redis protocol (RESP2) to send a command and read a simple reply, without a
 * client library: how {@link RedisCluster} forms and inspects its cluster, and how the tests talk
 * to a bare server.
 */
final class RespClient implements AutoCloseable {

	private final Socket socket;

	private final OutputStream output;

	private final InputStream input;

	RespClient(String host, int port) throws IOException {
		this.socket = new Socket();
		this.socket.connect(new InetSocketAddress(host, port), 1_000);
		this.socket.setSoTimeout(2_000);
		this.output = this.socket.getOutputStream();
		this.input = new BufferedInputStream(this.socket.getInputStream());
	}

	/**
	 * Sends a command and returns the reply: a status or bulk string, an integer as text, null for a
	 * null bulk string, or an array's elements joined by newlines.
	 */
	@Nullable String call(String... arguments) throws IOException {
		StringBuilder command = new StringBuilder("*").append(arguments.length).append("\r\n");
		for (String argument : arguments) {
			byte[] bytes = argument.getBytes(StandardCharsets.UTF_8);
			command.append('$').append(bytes.length).append("\r\n").append(argument).append("\r\n");
		}
		this.output.write(command.toString().getBytes(StandardCharsets.UTF_8));
		this.output.flush();
		return readReply();
	}

	private @Nullable String readReply() throws IOException {
		String line = readLine();
		switch (line.charAt(0)) {
			case '+', ':':
				return line.substring(1);
			case '-':
				throw new IOException("Redis error: " + line.substring(1));
			case '$':
				int length = Integer.parseInt(line.substring(1));
				if (length < 0) {
					return null;
				}
				byte[] bytes = this.input.readNBytes(length + 2);
				return new String(bytes, 0, length, StandardCharsets.UTF_8);
			case '*':
				int count = Integer.parseInt(line.substring(1));
				StringBuilder elements = new StringBuilder();
				for (int i = 0; i < count; i++) {
					elements.append(i == 0 ? "" : "\n").append(readReply());
				}
				return elements.toString();
			default:
				throw new IOException("Unsupported reply: " + line);
		}
	}

	private String readLine() throws IOException {
		StringBuilder line = new StringBuilder();
		int previous = -1;
		while (true) {
			int next = this.input.read();
			if (next < 0) {
				throw new IOException("Connection closed by Redis");
			}
			if (previous == '\r' && next == '\n') {
				line.setLength(line.length() - 1);
				return line.toString();
			}
			line.append((char) next);
			previous = next;
		}
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}
}
