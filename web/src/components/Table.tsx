import type { ReactNode } from "react";

interface TableProps {
  caption: ReactNode;
  /** Most tables sit under a heading that already names them, so the caption is for screen readers only. */
  captionVisible?: boolean;
  columns: ReactNode[];
  /** Tables with action buttons scroll sideways on a narrow screen rather than squeeze the buttons. */
  scroll?: boolean;
  /** The rows. */
  children: ReactNode;
}

/** A compact DKFDS table: a caption, one header row of column headers, then the rows. */
export function Table({ caption, captionVisible = false, columns, scroll = false, children }: TableProps) {
  const table = (
    <table className="table table--compact">
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
