import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { initApiBase } from './lib/api.js';
import './styles.css';

// The API base must be known before the first request or the live stream opens.
void initApiBase().then(() => {
  createRoot(document.getElementById('root')!).render(<App />);
});
