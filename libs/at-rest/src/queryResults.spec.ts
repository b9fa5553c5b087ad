import { affectedRows, rowsOf } from './queryResults';

describe('query results', () => {
  it('reads rows from a TypeORM answer and from a pg result', () => {
    expect(rowsOf([{ a: 1 }])).toEqual([{ a: 1 }]);
    expect(rowsOf({ rows: [{ a: 2 }], rowCount: 1 })).toEqual([{ a: 2 }]);
  });

  it("counts TypeORM's [rows, count], a plain row list and pg's rowCount", () => {
    expect(affectedRows([[], 3])).toBe(3);
    expect(affectedRows([[{ id: 1 }], 1])).toBe(1);
    expect(affectedRows([{ id: 1 }, { id: 2 }, { id: 3 }])).toBe(3);
    expect(affectedRows({ rows: [], rowCount: 4 })).toBe(4);
    expect(affectedRows({ rows: [], rowCount: null })).toBe(0);
    expect(affectedRows(undefined)).toBe(0);
  });
});
