// A reader for the small XML documents S3 answers with (ListObjectsV2, DeleteObjects, errors):
// elements, text and the five entities plus character references. Attributes, namespaces,
// comments, declarations and CDATA markers are read past; nothing else of XML is needed here.

export interface XmlElement {
  name: string;
  children: XmlElement[];
  /** The element's own text, entities decoded, never trimmed (keys may start or end with spaces). */
  text: string;
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, ref: string) => {
    if (ref[0] === '#') return String.fromCodePoint(ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10));
    return ENTITIES[ref] ?? whole;
  });
}

const TOKEN = /<!\[CDATA\[([\s\S]*?)\]\]>|<!--[\s\S]*?-->|<[?!][^>]*>|<\/([^\s>]+)\s*>|<([^\s/>]+)[^>]*?(\/?)>|([^<]+)/g;

/** The document's root element; throws on a document that is not well nested. */
export function parseXml(xml: string): XmlElement {
  const root: XmlElement = { name: '', children: [], text: '' };
  const open: XmlElement[] = [root];
  for (const [, cdata, close, name, selfClosing, text] of xml.matchAll(TOKEN)) {
    const current = open[open.length - 1]!;
    if (cdata !== undefined) current.text += cdata;
    else if (text !== undefined) current.text += decodeEntities(text);
    else if (close !== undefined) {
      if (open.length === 1 || current.name !== close) throw new Error(`malformed XML: </${close}> closes <${current.name}>`);
      open.pop();
    } else if (name !== undefined) {
      const element: XmlElement = { name: localName(name), children: [], text: '' };
      current.children.push(element);
      if (selfClosing !== '/') open.push(element);
    }
  }
  if (open.length !== 1 || root.children.length !== 1) throw new Error('malformed XML: not one root element');
  return root.children[0]!;
}

const localName = (name: string) => name.slice(name.indexOf(':') + 1);

/** The children named so. */
export const childrenNamed = (element: XmlElement, name: string) => element.children.filter((child) => child.name === name);

/** The text of the first child named so, or undefined when there is none. */
export const childText = (element: XmlElement, name: string): string | undefined => element.children.find((child) => child.name === name)?.text;

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Escapes text for an element's content; line breaks and tabs as references, which parsers keep. */
export const escapeXml = (text: string) => text.replace(/[&<>"'\r\n\t]/g, (c) => ESCAPES[c] ?? `&#${c.charCodeAt(0)};`);
