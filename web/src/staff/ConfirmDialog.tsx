import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from "react";

import { ConfirmModal } from "../components/ConfirmModal";
import { Notice } from "../components/Notice";
import { useStaffText } from "./messages";

interface ConfirmDialogProps {
  title: string;
  /** The word of the button that opened the dialog: the dialog confirms with the same word. */
  confirmLabel: string;
  children: ReactNode;
  /** Ask for a reason (required) and hand it to onConfirm. */
  reasonLabel?: string;
  busy: boolean;
  error: string | null;
  onConfirm: (reason: string) => void;
  onClose: () => void;
  warning?: boolean;
}

/** A DKFDS modal that asks before a staff action, with the reason the API needs when it needs one. */
export function ConfirmDialog({ title, confirmLabel, children, reasonLabel, busy, error, onConfirm, onClose, warning }: ConfirmDialogProps) {
  const { s } = useStaffText();
  const id = useId();
  const formId = `${id}-form`;
  const [reason, setReason] = useState("");
  const [missing, setMissing] = useState(false);
  const reasonRef = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    // The reason is what the dialog is for: start there, after the dialog has placed its own focus.
    if (!reasonLabel) return;
    const timer = window.setTimeout(() => reasonRef.current?.focus(), 0);
    return () => window.clearTimeout(timer);
  }, [reasonLabel]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (reasonLabel && !reason.trim()) {
      setMissing(true);
      reasonRef.current?.focus();
      return;
    }
    onConfirm(reason.trim());
  };
  return (
    <ConfirmModal
      title={title}
      confirmLabel={confirmLabel}
      tone={warning ? "warning" : "primary"}
      busy={busy}
      form={formId}
      onClose={onClose}
    >
      <form id={formId} onSubmit={submit} noValidate>
        {children}
        {reasonLabel ? (
          <div className={`form-group${missing ? " form-error" : ""}`}>
            <label className="form-label" htmlFor={`${id}-reason`}>
              {reasonLabel}
            </label>
            {missing ? (
              <span className="form-error-message" id={`${id}-reason-error`}>
                <span className="sr-only">Fejl: </span>
                {s("review.reasonRequired")}
              </span>
            ) : null}
            <textarea
              ref={reasonRef}
              className="form-input"
              id={`${id}-reason`}
              rows={4}
              maxLength={1000}
              value={reason}
              aria-invalid={missing ? true : undefined}
              aria-describedby={missing ? `${id}-reason-error` : undefined}
              onChange={(e) => {
                setReason(e.target.value);
                setMissing(false);
              }}
            />
          </div>
        ) : null}
        {error ? (
          <Notice kind="error">
            <p className="alert-text">{error}</p>
          </Notice>
        ) : null}
      </form>
    </ConfirmModal>
  );
}
