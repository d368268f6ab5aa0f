// Reads an exported EventCatalog folder back with EventCatalog's own SDK, and compiles every
// page with the MDX compiler EventCatalog builds with. Prints one JSON document.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sdk from '@eventcatalog/sdk';
import { compile } from '@mdx-js/mdx';

const dir = process.argv[2];
const catalog = sdk(dir);

async function* pages(folder) {
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) yield* pages(path);
    else if (entry.name.endsWith('.mdx')) yield path;
  }
}

const mdxErrors = [];
for await (const path of pages(dir)) {
  const body = (await readFile(path, 'utf8')).replace(/^---\n[\s\S]*?\n---\n/, '');
  try {
    await compile(body);
  } catch (error) {
    mdxErrors.push(`${path}: ${error.message}`);
  }
}

const domains = await catalog.getDomains();
const language = {};
for (const domain of domains) {
  language[domain.id] = await catalog.getUbiquitousLanguageFromDomain(domain.id);
}
console.log(JSON.stringify({
  dataProducts: await catalog.getDataProducts(),
  domains,
  language,
  services: await catalog.getServices(),
  events: await catalog.getEvents(),
  containers: await catalog.getDataStores(),
  teams: await catalog.getTeams(),
  mdxErrors,
}));
