// Library failures as a user reads them: what happened to which file, and what to do.
import { AppFailure } from '../app-failure'
import { codeOf } from './library-files'

export { codeOf }

export function refused(id: string, why: string): AppFailure {
  return new AppFailure(
    'invalid-input',
    `XO Desk refused "${id}": ${why}.`,
    'Choose the file from the Library list; XO Desk only works on the files inside its library folder.',
  )
}

export function notFound(id: string): AppFailure {
  return new AppFailure(
    'not-found',
    `"${id}" was removed or moved.`,
    'Refresh the Library; export it again if you still need it.',
  )
}

/** A file-system error on a library file as what the user reads. */
export function fsFailure(err: unknown, id: string, doing: string): unknown {
  switch (codeOf(err)) {
    case 'ENOENT':
    case 'ENOTDIR':
      return notFound(id)
    case 'EACCES':
    case 'EPERM':
      return new AppFailure(
        'forbidden',
        `XO Desk may not ${doing} "${id}" (permission denied).`,
        'Check the permissions of the file and its folder, or use your file manager.',
      )
    case 'EBUSY':
      return new AppFailure(
        'conflict',
        `"${id}" is in use by another program, so XO Desk cannot ${doing} it.`,
        'Close the program using it, then try again.',
        true,
      )
    case 'EIO':
      return new AppFailure(
        'corrupt-file',
        `"${id}" cannot be read: the disk reported an input/output error.`,
        'Check the disk it is on, or copy the file again from a healthy copy.',
      )
    default:
      return err
  }
}
