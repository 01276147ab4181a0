import { useEffect, useRef, type ReactNode } from "react";

/**
 * What an action did, said where the keyboard is: the message takes focus when it appears (and when it says
 * something new), so that after the button that did it has gone focus is not left on the page's body.
 */
export function Outcome({ kind = "success", said, children }: { kind?: "success" | "error"; said: string; children: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, [said]);
  return (
    <div ref={ref} tabIndex={-1} className={`alert alert-${kind} outcome`} role={kind === "error" ? "alert" : "status"}>
      <div className="alert-body">{children}</div>
    </div>
  );
}
