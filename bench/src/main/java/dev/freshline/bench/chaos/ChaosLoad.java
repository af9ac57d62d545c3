package dev.freshline.bench.chaos;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import org.jspecify.annotations.Nullable;

import dev.freshline.bench.BenchHttp;
import dev.freshline.bench.StackProcess;
import dev.freshline.model.Invalidation;

/**
 * The torture checker's load, against the launcher's stack: readers on both API instances read hot
 * patients (and patients inserted and deleted meanwhile), the census of the wards they move between
 * and two hospitals' formularies; raw-SQL writers move patients between wards, insert and delete
 * patients and move formulary items between hospitals. Every read (status, latency, version,
 * {@code Freshline-Cache}) and every committed patient write (id, new version, commit time) is
 * recorded. A load runs for one scenario; the {@link Population} it works on lives for the run.
 */
final class ChaosLoad {

	static final int READERS = 4;

	static final int READS_PER_SECOND_PER_READER = 50;

	static final int WRITERS = 2;

	static final int WRITES_PER_SECOND_PER_WRITER = 25;

	/** An HTTP status for a read that got no answer within the client's timeout. */
	static final int TIMED_OUT = -1;

	/** An HTTP status for a read whose connection failed (refused, reset): the instance is down. */
	static final int UNREACHABLE = -2;

	private final StackProcess stack;

	private final BenchHttp http;

	private final Population population;

	final ConcurrentLinkedQueue<Read> reads = new ConcurrentLinkedQueue<>();

	final ConcurrentLinkedQueue<Write> writes = new ConcurrentLinkedQueue<>();

	final LongAdder writeFailures = new LongAdder();

	private volatile @Nullable Write lastWrite;

	private final AtomicBoolean reading = new AtomicBoolean(true);

	private final AtomicBoolean writing = new AtomicBoolean(true);

	private final List<Thread> readers = new ArrayList<>();

	private final List<Thread> writers = new ArrayList<>();

	ChaosLoad(StackProcess stack, BenchHttp http, Population population) {
		this.stack = stack;
		this.http = http;
		this.population = population;
	}

	void start() {
		for (int i = 0; i < READERS; i++) {
			int instance = i % 2;
			this.readers.add(started(new Thread(() -> read(instance), "chaos-reader-" + i)));
		}
		for (int i = 0; i < WRITERS; i++) {
			this.writers.add(started(new Thread(this::write, "chaos-writer-" + i)));
		}
	}

	private static Thread started(Thread thread) {
		thread.setDaemon(true);
		thread.start();
		return thread;
	}

	/**
	 * Stops the writers and commits one last move, after which every earlier commit is in Kafka
	 * (the connector publishes in commit order); returns when. Once stopped, does nothing.
	 */
	long stopWriting() throws Exception {
		if (!this.writing.getAndSet(false)) {
			return System.nanoTime();
		}
		for (Thread writer : this.writers) {
			writer.join(TimeUnit.SECONDS.toMillis(60));
		}
		try (Connection connection = connect()) {
			this.lastWrite = move(connection, Population.FIRST_ID);
		}
		return System.nanoTime();
	}

	/** The write {@link #stopWriting()} committed last. */
	Write lastWrite() {
		Write last = this.lastWrite;
		if (last == null) {
			throw new IllegalStateException("the writers have not stopped");
		}
		return last;
	}

	void stopReading() throws InterruptedException {
		this.reading.set(false);
		for (Thread reader : this.readers) {
			reader.join(TimeUnit.SECONDS.toMillis(60));
		}
	}

	private void read(int instance) {
		long interval = TimeUnit.SECONDS.toNanos(1) / READS_PER_SECOND_PER_READER;
		long next = System.nanoTime();
		String api = this.stack.api(instance);
		while (this.reading.get()) {
			next += interval;
			long now = System.nanoTime();
			// open-loop pacing, but a reader that waited out a timeout does not fire a burst to catch up
			next = Math.max(next, now - TimeUnit.SECONDS.toNanos(1));
			LockSupport.parkNanos(Math.max(0, next - now));
			ThreadLocalRandom random = ThreadLocalRandom.current();
			int kind = random.nextInt(100);
			if (kind < 70) {
				long id = this.population.anyPatientToRead();
				read(instance, api, "patient", id, "/patients/" + id);
			}
			else if (kind < 90) {
				read(instance, api, "ward", 0, "/wards/" + Population.ward(random.nextInt(Population.WARDS)) + "/patients");
			}
			else {
				read(instance, api, "formulary", 0,
						"/hospitals/" + Population.HOSPITALS[random.nextInt(Population.HOSPITALS.length)] + "/formulary");
			}
		}
	}

	private void read(int instance, String api, String kind, long id, String path) {
		long start = System.nanoTime();
		int status;
		long version = Staleness.NOT_FOUND;
		String cache = "none";
		try {
			HttpResponse<String> response = this.http.get(api + path);
			status = response.statusCode();
			cache = BenchHttp.cacheOutcome(response);
			if (status == 200 && kind.equals("patient")) {
				version = BenchHttp.version(response.body());
			}
		}
		catch (HttpTimeoutException ex) {
			status = TIMED_OUT;
		}
		catch (ConnectException ex) {
			status = UNREACHABLE;
		}
		catch (IOException ex) {
			// a connection reset or closed by a dying instance
			status = UNREACHABLE;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return;
		}
		this.reads.add(new Read(instance, kind, id, status, version, start, System.nanoTime(), cache));
	}

	/** Raw SQL behind the API's back: ward moves, inserts, deletes and formulary moves. */
	private void write() {
		long interval = TimeUnit.SECONDS.toNanos(1) / WRITES_PER_SECOND_PER_WRITER;
		long next = System.nanoTime();
		Connection connection = null;
		while (this.writing.get()) {
			try {
				if (connection == null) {
					connection = connect();
				}
				int kind = ThreadLocalRandom.current().nextInt(100);
				if (kind < 55) {
					move(connection, this.population.anyLivePatient());
				}
				else if (kind < 65) {
					insert(connection);
				}
				else if (kind < 75) {
					delete(connection);
				}
				else {
					moveItem(connection);
				}
			}
			catch (SQLException ex) {
				// Postgres restarting: the write did not commit (or we cannot know, so it is not
				// recorded: an unrecorded commit only hides staleness, it never invents it)
				this.writeFailures.increment();
				close(connection);
				connection = null;
			}
			next += interval;
			long now = System.nanoTime();
			next = Math.max(next, now - TimeUnit.SECONDS.toNanos(1));
			LockSupport.parkNanos(Math.max(0, next - now));
		}
		close(connection);
	}

	private Connection connect() throws SQLException {
		return DriverManager.getConnection(this.stack.jdbcUrl(), this.stack.databaseUser(), this.stack.databasePassword());
	}

	private static void close(Connection connection) {
		if (connection != null) {
			try {
				connection.close();
			}
			catch (SQLException ignored) {
				// already broken
			}
		}
	}

	private @Nullable Write move(Connection connection, long id) throws SQLException {
		try (PreparedStatement update = connection.prepareStatement("UPDATE patient SET ward = ? WHERE id = ? RETURNING version")) {
			update.setString(1, Population.ward(ThreadLocalRandom.current().nextInt(Population.WARDS)));
			update.setLong(2, id);
			long start = System.nanoTime();
			try (ResultSet row = update.executeQuery()) {
				if (!row.next()) {
					return null; // deleted meanwhile by the other writer
				}
				Write write = new Write(id, row.getLong(1), start, System.nanoTime());
				this.writes.add(write);
				return write;
			}
		}
	}

	private void insert(Connection connection) throws SQLException {
		try (PreparedStatement insert = connection.prepareStatement("INSERT INTO patient (mrn, name, date_of_birth, ward) "
				+ "VALUES (?, 'Chaos patient', date '1980-01-01', ?) RETURNING id, version")) {
			insert.setString(1, "CHS-" + System.nanoTime() + "-" + ThreadLocalRandom.current().nextInt(1000));
			insert.setString(2, Population.ward(ThreadLocalRandom.current().nextInt(Population.WARDS)));
			long start = System.nanoTime();
			try (ResultSet row = insert.executeQuery()) {
				row.next();
				long id = row.getLong(1);
				this.writes.add(new Write(id, row.getLong(2), start, System.nanoTime()));
				this.population.inserted(id);
			}
		}
	}

	private void delete(Connection connection) throws SQLException {
		Long id = this.population.live.pollFirst();
		if (id == null) {
			insert(connection);
			return;
		}
		try (PreparedStatement delete = connection.prepareStatement("DELETE FROM patient WHERE id = ?")) {
			delete.setLong(1, id);
			long start = System.nanoTime();
			delete.executeUpdate();
			this.writes.add(new Write(id, Invalidation.DELETED, start, System.nanoTime()));
		}
	}

	private void moveItem(Connection connection) throws SQLException {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		try (PreparedStatement update = connection
			.prepareStatement("UPDATE formulary_item SET hospital_id = ?, status = ? WHERE id = ?")) {
			update.setLong(1, Population.HOSPITALS[random.nextInt(Population.HOSPITALS.length)]);
			update.setString(2, random.nextBoolean() ? "ACTIVE" : "RESTRICTED");
			update.setLong(3, this.population.items.get(random.nextInt(this.population.items.size())));
			update.executeUpdate();
		}
	}

	/**
	 * One read: {@code instance} 0 or 1 (api-1, api-2), its kind (patient, ward, formulary), the
	 * HTTP status or {@link #TIMED_OUT} / {@link #UNREACHABLE}, a patient's version
	 * ({@link Staleness#NOT_FOUND} for a 404 or no patient), and its {@code Freshline-Cache} answer.
	 */
	record Read(int instance, String kind, long id, int status, long version, long startNanos, long endNanos,
			String cache) {

		boolean answeredPatient() {
			return this.kind.equals("patient") && (this.status == 200 || this.status == 404);
		}

		boolean answered() {
			return this.status > 0;
		}

		double millis() {
			return (this.endNanos - this.startNanos) / 1e6;
		}
	}

	/** A committed patient write; a delete has version {@link Invalidation#DELETED}. */
	record Write(long id, long version, long startNanos, long committedNanos) {
	}

	/**
	 * What the writers work on across scenarios: hot patients moved between the chaos wards, the
	 * patients inserted (readers read them, deleted or not), and formulary items on two hospitals
	 * the seed data leaves empty.
	 */
	static final class Population {

		static final long FIRST_ID = 1500;

		static final int HOT_PATIENTS = 20;

		static final int WARDS = 8;

		static final long[] HOSPITALS = { 6, 7 };

		static final int FORMULARY_ITEMS = 10;

		final List<Long> items = new CopyOnWriteArrayList<>();

		final List<Long> insertedIds = new CopyOnWriteArrayList<>();

		final ConcurrentLinkedDeque<Long> live = new ConcurrentLinkedDeque<>();

		final AtomicLong highestId = new AtomicLong();

		static String ward(int ward) {
			return "ward-c" + ward;
		}

		/** Hot patients onto the chaos wards and formulary items onto their hospitals. */
		static Population create(StackProcess stack) throws SQLException {
			Population population = new Population();
			try (Connection connection = DriverManager.getConnection(stack.jdbcUrl(), stack.databaseUser(),
					stack.databasePassword());
					PreparedStatement move = connection.prepareStatement("UPDATE patient SET ward = ? WHERE id = ?");
					PreparedStatement item = connection.prepareStatement(
							"INSERT INTO formulary_item (hospital_id, drug_code, drug_name, strength, form, status) "
									+ "VALUES (?, ?, ?, '5 mg', 'tablet', 'ACTIVE') RETURNING id");
					PreparedStatement highest = connection.prepareStatement("SELECT max(id) FROM patient")) {
				for (long id = FIRST_ID; id < FIRST_ID + HOT_PATIENTS; id++) {
					move.setString(1, ward((int) (id % WARDS)));
					move.setLong(2, id);
					move.executeUpdate();
				}
				for (int i = 0; i < FORMULARY_ITEMS; i++) {
					item.setLong(1, HOSPITALS[i % HOSPITALS.length]);
					item.setString(2, String.format("CH%02d", i));
					item.setString(3, "Chaos drug " + i);
					try (ResultSet row = item.executeQuery()) {
						row.next();
						population.items.add(row.getLong(1));
					}
				}
				try (ResultSet row = highest.executeQuery()) {
					row.next();
					population.highestId.set(row.getLong(1));
				}
			}
			return population;
		}

		void inserted(long id) {
			this.insertedIds.add(id);
			this.live.add(id);
			this.highestId.accumulateAndGet(id, Math::max);
		}

		long anyLivePatient() {
			ThreadLocalRandom random = ThreadLocalRandom.current();
			Long[] live = this.live.toArray(Long[]::new);
			return (live.length > 0 && random.nextInt(4) == 0) ? live[random.nextInt(live.length)]
					: FIRST_ID + random.nextInt(HOT_PATIENTS);
		}

		/** A hot patient, one inserted (maybe deleted since), or one of the next ids, not created yet. */
		long anyPatientToRead() {
			ThreadLocalRandom random = ThreadLocalRandom.current();
			int kind = random.nextInt(100);
			if (kind < 60 || this.insertedIds.isEmpty()) {
				return FIRST_ID + random.nextInt(HOT_PATIENTS);
			}
			if (kind < 85) {
				return this.insertedIds.get(random.nextInt(this.insertedIds.size()));
			}
			return this.highestId.get() + 1 + random.nextInt(2);
		}
	}
}
