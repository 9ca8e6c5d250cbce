/** The SOQL this sandbox understands: the shapes Revline issues, and nothing it would have to guess at. */
export type Literal =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'date'; value: string }
  | { kind: 'datetime'; value: number };

export type SelectItem =
  { kind: 'field'; path: string[] } | { kind: 'subquery'; query: Query } | { kind: 'count' };

export type Operator = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE';

export type Condition =
  | { kind: 'and'; items: Condition[] }
  | { kind: 'or'; items: Condition[] }
  | { kind: 'not'; item: Condition }
  | { kind: 'compare'; path: string[]; op: Operator; value: Literal }
  | { kind: 'in'; path: string[]; values: Literal[]; negate: boolean };

export interface OrderItem {
  path: string[];
  descending: boolean;
  nullsLast: boolean;
}

export interface Query {
  select: SelectItem[];
  from: string;
  where?: Condition;
  orderBy: OrderItem[];
  limit?: number;
  offset?: number;
}
