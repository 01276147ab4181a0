import { useLayoutEffect, useRef, type ReactNode } from "react";

interface TableProps {
  caption: ReactNode;
  /** Most tables sit under a heading that already names them, so the caption is for screen readers only. */
  captionVisible?: boolean;
  columns: ReactNode[];
  /** Tables with action buttons scroll sideways on a middling screen rather than squeeze the buttons. */
  scroll?: boolean;
  /** The rows. */
  children: ReactNode;
}

/**
 * A compact DKFDS table: a caption, one header row of column headers, then the rows. On a narrow screen
 * (styles.css) each row is a card of its own, each cell under its column's name: the cells are labelled
 * here from the header row, so a list's rows need not repeat the names. A cell with the class `card-lead`
 * comes first on its card.
 */
export function Table({ caption, captionVisible = false, columns, scroll = false, children }: TableProps) {
  const ref = useRef<HTMLTableElement>(null);
  useLayoutEffect(() => {
    const table = ref.current;
    if (!table) return;
    const names = Array.from(table.tHead?.rows[0]?.cells ?? [], (cell) => cell.textContent?.trim() ?? "");
    for (const body of Array.from(table.tBodies))
      for (const row of Array.from(body.rows))
        Array.from(row.cells).forEach((cell, i) => {
          if (names[i]) cell.dataset.label = names[i];
        });
  });
  const table = (
    <table ref={ref} className="table table--compact table-cards">
      <caption className={captionVisible ? undefined : "sr-only"}>{caption}</caption>
      <thead>
        <tr>
          {columns.map((column, i) => (
            <th scope="col" key={i}>
              {column}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
  return scroll ? <div className="table--responsive-scroll">{table}</div> : table;
}
