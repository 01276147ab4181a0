// swagger-ui-dist ships no types; this is the part of its ES bundle's API the console calls.
declare module "swagger-ui-dist/swagger-ui-es-bundle.js" {
  /** An Immutable.js map, as Swagger UI's selectors hand them out. */
  export interface ImmutableMap {
    get(key: string): unknown;
    readonly size: number;
  }

  /** A component of Swagger UI's own React (not the console's Preact). */
  export type SwaggerComponent = (props: SwaggerComponentProps) => unknown;

  /** What Swagger UI passes every component it renders: its selectors and its component registry. */
  export interface SwaggerComponentProps {
    specSelectors: {
      info(): ImmutableMap;
      version(): string | undefined;
      servers(): ImmutableMap | undefined;
      securityDefinitions(): unknown;
      isOAS31(): boolean;
    };
    getComponent(name: string, container?: boolean): unknown;
  }

  /** The system a plugin is built from; its React is the one Swagger UI renders with. */
  export interface SwaggerSystem {
    React: {
      createElement(type: unknown, props?: object | null, ...children: unknown[]): unknown;
    };
  }

  interface SwaggerUIOptions {
    domNode: HTMLElement;
    spec: object;
    validatorUrl: string | null;
    supportedSubmitMethods: string[];
    deepLinking: boolean;
    docExpansion: "list" | "full" | "none";
    defaultModelsExpandDepth: number;
    plugins: ((system: SwaggerSystem) => { components: Record<string, SwaggerComponent> })[];
    layout: string;
  }
  const SwaggerUI: (options: SwaggerUIOptions) => unknown;
  export default SwaggerUI;
}
