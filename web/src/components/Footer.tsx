// The page's footer, DKFDS's markup: whom to ask for help and when, and the pages anyone may read
// (tilgængelighedserklæring, privacy, cookies, the API reference). The contact is the stage's, from /config.json.
import type { ReactNode } from "react";

import type { Support } from "../config";
import { useServices } from "../context";
import { useI18n } from "../i18n";
import { navigate, PATHS } from "../router";

/** A link within the console: the browser's own for a new tab, the router's for a click. */
export function PageLink({ to, className, children }: { to: string; className?: string; children: ReactNode }) {
  return (
    <a
      href={to}
      className={className}
      onClick={(e) => {
        if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}

/** E-mail, telephone and opening hours, as list items. */
export function SupportContact({ support, linkClass }: { support: Support; linkClass?: string }) {
  const { t, language } = useI18n();
  return (
    <>
      <li>
        {t("footer.email")}:{" "}
        <a className={linkClass} href={`mailto:${support.email}`}>
          {support.email}
        </a>
      </li>
      <li>
        {t("footer.phone")}:{" "}
        <a className={linkClass} href={`tel:${support.phone.replace(/\s+/g, "")}`}>
          {support.phone}
        </a>
      </li>
      <li>
        {t("footer.hours")} {support.hours[language]}
      </li>
    </>
  );
}

export function Footer() {
  const { config } = useServices();
  const { t } = useI18n();
  return (
    <footer>
      <div className="footer">
        <div className="container">
          <div className="row">
            {config.support ? (
              <div className="col-12 col-md-6 footer-col">
                <section aria-labelledby="footer-contact">
                  <h2 className="h5" id="footer-contact">
                    {t("footer.contact")}
                  </h2>
                  <ul className="unstyled-list footer-links">
                    <li>
                      <PageLink to={PATHS.support} className="function-link">
                        {t("contact.link")}
                      </PageLink>
                    </li>
                    <SupportContact support={config.support} linkClass="function-link" />
                  </ul>
                </section>
              </div>
            ) : null}
            <div className="col-12 col-md-6 footer-col">
              <section aria-labelledby="footer-about">
                <h2 className="h5" id="footer-about">
                  {t("footer.about")}
                </h2>
                <ul className="unstyled-list footer-links">
                  <li>
                    <PageLink to={PATHS.accessibility} className="function-link">
                      {t("footer.accessibility")}
                    </PageLink>
                  </li>
                  <li>
                    <PageLink to={PATHS.privacy} className="function-link">
                      {t("footer.privacy")}
                    </PageLink>
                  </li>
                  <li>
                    <PageLink to={PATHS.cookies} className="function-link">
                      {t("footer.cookies")}
                    </PageLink>
                  </li>
                  <li>
                    <PageLink to={PATHS.apiReference} className="function-link">
                      {t("footer.apiReference")}
                    </PageLink>
                  </li>
                </ul>
              </section>
            </div>
          </div>
        </div>
      </div>
    </footer>
  );
}
