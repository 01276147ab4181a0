import { useEffect, useId, useRef, type ReactNode } from "react";

interface ModalProps {
  title: string;
  children: ReactNode;
  onClose: () => void;
  actions: ReactNode;
}

/** A DKFDS modal as a real dialog: focus moves in (to the element marked `data-autofocus`, else the first
 * control), Escape closes, focus returns where it came from. */
export function Modal({ title, children, onClose, actions }: ModalProps) {
  const titleId = useId();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const dialog = ref.current;
    (dialog?.querySelector<HTMLElement>("[data-autofocus]") ?? dialog?.querySelector<HTMLElement>("button, [href], input, select"))?.focus();
    document.body.classList.add("modal-open");
    return () => {
      document.body.classList.remove("modal-open");
      // Back where it came from, unless what the dialog did has already put the keyboard on its result.
      const now = document.activeElement;
      if (!now || now === document.body || dialog?.contains(now)) before?.focus();
    };
  }, []);
  return (
    <>
      <div className="modal-backdrop show" onClick={onClose} />
      <div
        className="fds-modal"
        aria-hidden="false"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        ref={ref}
        onKeyDown={(e) => {
          if (e.key === "Escape") onClose();
          if (e.key !== "Tab" || !ref.current) return;
          // Keep the keyboard inside the dialog while it is open.
          const focusable = Array.from(
            ref.current.querySelectorAll<HTMLElement>("button:not([disabled]), [href], input:not([disabled]), select"),
          );
          const first = focusable[0];
          const last = focusable[focusable.length - 1];
          if (!first || !last) return;
          if (e.shiftKey && document.activeElement === first) {
            e.preventDefault();
            last.focus();
          } else if (!e.shiftKey && document.activeElement === last) {
            e.preventDefault();
            first.focus();
          }
        }}
      >
        <div className="modal-content">
          <div className="modal-header">
            <h2 className="modal-title" id={titleId}>
              {title}
            </h2>
          </div>
          <div className="modal-body">{children}</div>
          <div className="modal-footer">{actions}</div>
        </div>
      </div>
    </>
  );
}
