#!/usr/bin/env node
require('../out/src/cli/main.js').main();
