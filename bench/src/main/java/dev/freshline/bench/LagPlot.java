package dev.freshline.bench;

import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** An SVG of commit -> key deleted percentiles against the write rate, both axes logarithmic, stock Debezium marked at each of its rates. */
final class LagPlot {

	private static final int WIDTH = 640;

	private static final int HEIGHT = 420;

	private static final int LEFT = 70;

	private static final int RIGHT = 170;

	private static final int TOP = 40;

	private static final int BOTTOM = 60;

	private static final double MIN_RATE = 70;

	private static final double MAX_RATE = 4500;

	private LagPlot() {
	}

	static String svg(List<LagResult> steps, List<LagResult> stock, String machine) {
		double top = 10;
		for (LagResult step : steps) {
			top = Math.max(top, finite(step.lagMs().max()));
		}
		for (LagResult step : stock) {
			top = Math.max(top, finite(step.lagMs().max()));
		}
		double maxMs = Math.pow(10, Math.ceil(Math.log10(top)));
		StringBuilder svg = new StringBuilder();
		svg.append(String.format(Locale.ROOT,
				"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n",
				WIDTH, HEIGHT));
		svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
		svg.append(text(LEFT, 20, "Freshline: commit -> Redis key deleted, by write rate", "bold", "start"));
		svg.append(text(LEFT, HEIGHT - 12, escape(machine), "normal", "start").replace("font-size=\"12\"", "font-size=\"9\""));
		for (double ms = 1; ms <= maxMs; ms *= 10) {
			double y = y(ms, maxMs);
			svg.append(line(LEFT, y, WIDTH - RIGHT, y, "#ddd", ""));
			svg.append(text(LEFT - 6, y + 4, label(ms) + " ms", "normal", "end"));
		}
		for (int rate : new int[] { 100, 300, 1000, 3000 }) {
			double x = x(rate);
			svg.append(line(x, TOP, x, HEIGHT - BOTTOM, "#eee", ""));
			svg.append(text(x, HEIGHT - BOTTOM + 16, Integer.toString(rate), "normal", "middle"));
		}
		svg.append(text((LEFT + WIDTH - RIGHT) / 2.0, HEIGHT - BOTTOM + 34, "raw SQL updates per second (open loop)", "normal", "middle"));
		series(svg, steps, Percentiles::p50, "#1f77b4", "", "p50", maxMs, 0);
		series(svg, steps, Percentiles::p99, "#ff7f0e", "", "p99", maxMs, 1);
		series(svg, steps, Percentiles::p999, "#d62728", "", "p99.9", maxMs, 2);
		series(svg, steps, Percentiles::max, "#7f7f7f", "4 3", "max", maxMs, 3);
		for (LagResult step : stock) {
			double x = x(step.rate());
			for (double value : new double[] { step.lagMs().p50(), step.lagMs().p99() }) {
				if (Double.isFinite(value)) {
					svg.append(String.format(Locale.ROOT,
							"<rect x=\"%.1f\" y=\"%.1f\" width=\"8\" height=\"8\" fill=\"none\" stroke=\"black\" stroke-width=\"1.5\"/>%n",
							x - 4, y(value, maxMs) - 4));
				}
			}
		}
		if (!stock.isEmpty()) {
			svg.append(String.format(Locale.ROOT,
					"<rect x=\"%d\" y=\"%d\" width=\"8\" height=\"8\" fill=\"none\" stroke=\"black\" stroke-width=\"1.5\"/>%n",
					WIDTH - RIGHT + 16, TOP + 4 * 20 - 4));
			svg.append(text(WIDTH - RIGHT + 32, TOP + 4 * 20 + 4, "stock Debezium p50, p99", "normal", "start"));
		}
		svg.append(line(LEFT, TOP, LEFT, HEIGHT - BOTTOM, "black", ""));
		svg.append(line(LEFT, HEIGHT - BOTTOM, WIDTH - RIGHT, HEIGHT - BOTTOM, "black", ""));
		svg.append("</svg>\n");
		return svg.toString();
	}

	private static void series(StringBuilder svg, List<LagResult> steps, ToDoubleFunction<Percentiles> value, String colour,
			String dash, String name, double maxMs, int legendRow) {
		StringBuilder points = new StringBuilder();
		for (LagResult step : steps) {
			double ms = value.applyAsDouble(step.lagMs());
			if (Double.isFinite(ms)) {
				double x = x(step.rate());
				double y = y(ms, maxMs);
				points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
				svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n", x, y, colour));
			}
		}
		svg.append(String.format(Locale.ROOT,
				"<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" stroke-dasharray=\"%s\"/>%n",
				points.toString().strip(), colour, dash));
		double legendY = TOP + legendRow * 20;
		svg.append(line(WIDTH - RIGHT + 12, legendY, WIDTH - RIGHT + 28, legendY, colour, dash).replace("stroke-width=\"1\"",
				"stroke-width=\"2\""));
		svg.append(text(WIDTH - RIGHT + 32, legendY + 4, name, "normal", "start"));
	}

	private static double x(double rate) {
		return LEFT + (Math.log10(rate) - Math.log10(MIN_RATE)) / (Math.log10(MAX_RATE) - Math.log10(MIN_RATE))
				* (WIDTH - LEFT - RIGHT);
	}

	private static double y(double ms, double maxMs) {
		double clamped = Math.max(ms, 0.5);
		return HEIGHT - BOTTOM - (Math.log10(clamped) - Math.log10(0.5)) / (Math.log10(maxMs) - Math.log10(0.5))
				* (HEIGHT - TOP - BOTTOM);
	}

	private static double finite(double value) {
		return Double.isFinite(value) ? value : 0;
	}

	private static String label(double ms) {
		return (ms >= 1000) ? String.format(Locale.ROOT, "%.0fk", ms / 1000) : String.format(Locale.ROOT, "%.0f", ms);
	}

	private static String line(double x1, double y1, double x2, double y2, String colour, String dash) {
		return String.format(Locale.ROOT,
				"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1\" stroke-dasharray=\"%s\"/>%n",
				x1, y1, x2, y2, colour, dash);
	}

	private static String text(double x, double y, String content, String weight, String anchor) {
		return String.format(Locale.ROOT,
				"<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" font-weight=\"%s\" text-anchor=\"%s\">%s</text>%n", x, y, weight,
				anchor, content);
	}

	private static String escape(String text) {
		return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
	}
}
