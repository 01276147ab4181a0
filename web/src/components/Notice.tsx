import type { ReactNode } from "react";

export function Notice({ kind, children }: { kind: "success" | "info" | "warning" | "error"; children: ReactNode }) {
  return (
    <div className={`alert alert-${kind}`} role={kind === "error" || kind === "warning" ? "alert" : "status"}>
      <div className="alert-body">{children}</div>
    </div>
  );
}
