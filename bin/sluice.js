#!/usr/bin/env node
import '../dist/bin/sluice.js';
