export { readPolicyFile } from './policy-file.js'
