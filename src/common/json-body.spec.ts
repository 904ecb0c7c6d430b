import { jsonPiecesBody } from './json-body';

describe('jsonPiecesBody', () => {
  it('joins small bodies into a string', () => {
    expect(jsonPiecesBody(['{"a":', '"é"', '}'])).toBe('{"a":"é"}');
  });

  it('encodes large bodies once into a Buffer of exactly their UTF-8 bytes', () => {
    const pieces = ['{"result":[', ...Array.from({ length: 40 }, (_, i) => `${i ? ',' : ''}{"n":"${'é😀x'.repeat(1000)}"}`), ']}'];
    const body = jsonPiecesBody(pieces);
    expect(Buffer.isBuffer(body)).toBe(true);
    expect((body as Buffer).equals(Buffer.from(pieces.join('')))).toBe(true);
    expect(JSON.parse((body as Buffer).toString()).result).toHaveLength(40);
  });
});
