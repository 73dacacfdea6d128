/**
 * Who may set what at the sample university (README "Per-attribute authority and the publishers
 * file"): the authority rules of the publishers file that the demo and the tests write for the
 * simulated publishers (fs, guest-portal, self-service) beside DFØ (`dfo`).
 */
export const SAMPLE_AUTHORITY = {
  givenName: { writers: ['dfo', 'fs', 'guest-portal'], requiredFrom: ['fs', 'guest-portal'] },
  familyName: { writers: ['dfo', 'fs', 'guest-portal'], requiredFrom: ['fs', 'guest-portal'] },
  displayName: { writers: ['self-service', 'dfo', 'fs', 'guest-portal'] },
  preferredName: { writers: ['self-service'] },
  mobile: { writers: ['self-service', 'fs'] },
  mail: { writers: ['fs', 'guest-portal'] },
  employeeNumber: { writers: ['dfo'] },
  studentNumber: { writers: ['fs'], requiredFrom: ['fs'] },
  studyRights: { writers: ['fs'], requiredFrom: ['fs'] },
  guest: { writers: ['guest-portal'], requiredFrom: ['guest-portal'] },
};
