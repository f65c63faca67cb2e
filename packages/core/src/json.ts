/** A value that survives a JSON round trip unchanged: what session attributes and tool outputs may hold. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
