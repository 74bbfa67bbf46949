// complex-matcher 0.7.0 (XO's filter syntax, docs/xo-rest-api.md#filters) ships no types.
declare module 'complex-matcher' {
  export interface Node {
    match(value: unknown): boolean
    createPredicate(): (value: unknown) => boolean
    toString(isNested?: boolean): string
  }
  export function parse(input: string, pos?: number, end?: number): Node
}
