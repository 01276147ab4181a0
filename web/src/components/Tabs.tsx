import { useRef, type KeyboardEvent, type ReactNode } from "react";

export interface TabSpec {
  id: string;
  label: string;
}

interface TabsProps {
  label: string;
  tabs: TabSpec[];
  current: string;
  onSelect: (id: string) => void;
  children: ReactNode;
}

/** DKFDS tabs with the ARIA tabs pattern: arrow keys move between tabs, the panel follows. */
export function Tabs({ label, tabs, current, onSelect, children }: TabsProps) {
  const refs = useRef<Record<string, HTMLButtonElement | null>>({});
  function onKeyDown(e: KeyboardEvent<HTMLButtonElement>, index: number) {
    const step = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
    let next: number | null = step ? (index + step + tabs.length) % tabs.length : null;
    if (e.key === "Home") next = 0;
    if (e.key === "End") next = tabs.length - 1;
    if (next === null) return;
    e.preventDefault();
    const tab = tabs[next];
    if (!tab) return;
    onSelect(tab.id);
    refs.current[tab.id]?.focus();
  }
  return (
    <div className="tab-container">
      <ul className="tab-list" role="tablist" aria-label={label}>
        {tabs.map((tab, i) => (
          <li key={tab.id} role="presentation">
            <button
              type="button"
              role="tab"
              className="tab-button"
              id={`tab-${tab.id}`}
              aria-controls={`panel-${tab.id}`}
              aria-selected={tab.id === current}
              tabIndex={tab.id === current ? 0 : -1}
              ref={(el) => {
                refs.current[tab.id] = el;
              }}
              onClick={() => onSelect(tab.id)}
              onKeyDown={(e) => onKeyDown(e, i)}
            >
              <span>{tab.label}</span>
            </button>
          </li>
        ))}
      </ul>
      <div className="tab-panel" role="tabpanel" id={`panel-${current}`} aria-labelledby={`tab-${current}`} tabIndex={0}>
        {children}
      </div>
    </div>
  );
}
