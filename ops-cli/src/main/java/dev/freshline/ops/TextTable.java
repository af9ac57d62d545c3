package dev.freshline.ops;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** A plain aligned table for summaries: readable in a terminal and in a log, greppable by column. */
public final class TextTable {

	private final List<String[]> rows = new ArrayList<>();

	/** A table with a header row, or without one when no header is given. */
	public TextTable(String... header) {
		if (header.length > 0) {
			this.rows.add(header);
		}
	}

	public TextTable row(Object... cells) {
		String[] row = new String[cells.length];
		for (int i = 0; i < cells.length; i++) {
			row[i] = String.valueOf(cells[i]);
		}
		this.rows.add(row);
		return this;
	}

	public void print(PrintWriter out) {
		int columns = this.rows.stream().mapToInt((row) -> row.length).max().orElse(0);
		int[] widths = new int[columns];
		for (String[] row : this.rows) {
			for (int i = 0; i < row.length; i++) {
				widths[i] = Math.max(widths[i], row[i].length());
			}
		}
		for (String[] row : this.rows) {
			StringBuilder line = new StringBuilder();
			for (int i = 0; i < row.length; i++) {
				line.append(row[i]);
				if (i < row.length - 1) {
					line.append(" ".repeat(widths[i] - row[i].length() + 2));
				}
			}
			out.println(line.toString().stripTrailing());
		}
		out.flush();
	}
}
