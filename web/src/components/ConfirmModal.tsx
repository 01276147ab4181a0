import type { ReactNode } from "react";

import { useI18n } from "../i18n";
import { Modal } from "./Modal";

type Confirm =
  | { onConfirm: () => void; form?: never }
  | {
      /** The id of a form in the dialog (a reason to give, say): confirming submits it, so it can check itself first. */
      form: string;
      onConfirm?: never;
    };

type ConfirmModalProps = Confirm & {
  title: string;
  /** The word of the button that opened the dialog: the dialog confirms with the same word. */
  confirmLabel: string;
  /** Warning for what cannot be undone (the default); primary for a decision that is merely weighty. */
  tone?: "warning" | "primary";
  busy?: boolean;
  onClose: () => void;
  children: ReactNode;
};

/** A DKFDS modal that asks before an action; cancelling is the safe way out. Before what cannot be undone
 * (the warning tone) the dialog opens on Annuller, so that Enter or Space on the way in does no harm. */
export function ConfirmModal({ title, confirmLabel, tone = "warning", busy, onConfirm, form, onClose, children }: ConfirmModalProps) {
  const { t } = useI18n();
  return (
    <Modal
      title={title}
      onClose={onClose}
      actions={
        <>
          <button
            type={form ? "submit" : "button"}
            form={form}
            className={`button button-${tone}`}
            disabled={busy}
            onClick={onConfirm}
          >
            {confirmLabel}
          </button>{" "}
          <button type="button" className="button button-secondary" onClick={onClose} data-autofocus={tone === "warning" ? true : undefined}>
            {t("common.cancel")}
          </button>
        </>
      }
    >
      {children}
    </Modal>
  );
}
