/**
 * `npm run build`: bundles the dashboard page (web/ui/) into dist/web-ui/, which the dashboard serves
 * (web/server/ui-assets.ts). Running from source without it, the dashboard bundles the page on its first request.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWebUi } from '../web/server/bundle-web-ui.js';
import { UI_BUNDLE_DIR } from '../web/server/ui-assets.js';

rmSync(UI_BUNDLE_DIR, { recursive: true, force: true });
mkdirSync(UI_BUNDLE_DIR, { recursive: true });
for (const file of await bundleWebUi(process.cwd())) writeFileSync(join(UI_BUNDLE_DIR, file.name), file.content);
