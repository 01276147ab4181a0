import type { ReactNode } from "react";

import { useI18n } from "../i18n";
import { Modal } from "./Modal";

interface ConfirmModalProps {
  title: string;
  /** The word of the button that opened the dialog: the dialog confirms with the same word. */
  confirmLabel: string;
  busy?: boolean;
  onConfirm: () => void;
  onClose: () => void;
  children: ReactNode;
}

/** A DKFDS modal that asks before an action that cannot be undone; cancelling is the safe way out. */
export function ConfirmModal({ title, confirmLabel, busy, onConfirm, onClose, children }: ConfirmModalProps) {
  const { t } = useI18n();
  return (
    <Modal
      title={title}
      onClose={onClose}
      actions={
        <>
          <button type="button" className="button button-warning" disabled={busy} onClick={onConfirm}>
            {confirmLabel}
          </button>{" "}
          <button type="button" className="button button-secondary" onClick={onClose}>
            {t("common.cancel")}
          </button>
        </>
      }
    >
      {children}
    </Modal>
  );
}
